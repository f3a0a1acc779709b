// Plain-text tables for people: columns padded to their widest cell, the flexible column
// cut to the terminal, optional columns dropped when even that does not fit.

export interface Column {
  title: string;
  align?: "left" | "right";
  /** Takes what width is left, cut with "…" (at most one column). */
  flex?: boolean;
  /** Dropped, highest first, when the table does not fit the width. */
  dropOrder?: number;
  /** Wraps an already padded cell in colour codes (never counted in widths). */
  paint?: (padded: string, raw: string) => string;
}

/** Below this a flexible column is not worth keeping wide: drop optional columns instead. */
const MIN_FLEX = 12;

export function renderTable(columns: readonly Column[], cellRows: readonly string[][], width: number | null): string {
  const rows = cellRows.map((cells) => cells.map(printable));
  let keep = columns.map((_, i) => i);
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => r[i]!.length)));
  const flex = columns.findIndex((c) => c.flex);
  const fixedWidth = (kept: number[]) => kept.reduce((sum, i) => sum + (i === flex ? 0 : widths[i]! + 2), 0);

  if (width !== null) {
    const droppable = keep.filter((i) => columns[i]!.dropOrder !== undefined).sort((a, b) => columns[b]!.dropOrder! - columns[a]!.dropOrder!);
    while (fixedWidth(keep) + (flex === -1 ? 0 : Math.min(MIN_FLEX, widths[flex]!)) > width && droppable.length) {
      const drop = droppable.shift()!;
      keep = keep.filter((i) => i !== drop);
    }
    if (flex !== -1) widths[flex] = Math.max(1, Math.min(widths[flex]!, width - fixedWidth(keep)));
  }

  const line = (cells: readonly string[], painted: boolean) =>
    keep
      .map((i, k) => {
        const column = columns[i]!;
        const raw = cut(cells[i]!, widths[i]!);
        const last = k === keep.length - 1;
        const padded = column.align === "right" ? raw.padStart(widths[i]!) : last ? raw : raw.padEnd(widths[i]!);
        return painted && column.paint ? column.paint(padded, cells[i]!) : padded;
      })
      .join("  ");
  const out = [line(columns.map((c) => c.title), false), ...rows.map((r) => line(r, true))];
  // Still too wide (a terminal narrower than the fixed columns): cut whole lines.
  return out.map((l) => (width !== null && visibleLength(l) > width ? cutVisible(l, width) : l).trimEnd()).join("\n") + "\n";
}

export function cut(text: string, max: number): string {
  return text.length <= max ? text : max <= 1 ? "…".slice(0, max) : `${text.slice(0, max - 1)}…`;
}

const ANSI = /\x1b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}

/** Cuts to `max` visible characters, keeping colour codes intact and resetting after. */
function cutVisible(text: string, max: number): string {
  let out = "";
  let shown = 0;
  for (const part of text.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith("\x1b[")) out += part;
    else {
      const room = max - shown;
      if (part.length <= room) {
        out += part;
        shown += part.length;
      } else {
        out += room > 0 ? cut(part, room) : "";
        shown = max;
        break;
      }
    }
  }
  return text.includes("\x1b[") ? `${out}\x1b[0m` : out;
}

/**
 * Control characters shown escaped: a command line is the user's (or an attacker's) text,
 * and a raw newline or escape sequence would break the table or drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
