// `supervise stats` for people: totals, then one row per sweep with a bar of what it cleaned.

import type { HistoryStats } from "../reap/stats.ts";
import { renderTable, type Column } from "./table.ts";

const BAR_WIDTH = 20;

export function renderStats(s: HistoryStats, width: number | null): string {
  if (s.perRun.length === 0) return "no reap runs recorded yet (supervise reap, or the SessionStart hook, records them)\n";
  const head = [
    `runs: ${s.runs}${s.dryRuns ? ` (+${s.dryRuns} dry)` : ""}`,
    `total cleaned: ${s.totalCleaned}`,
    `average per run: ${s.averagePerRun}`,
    `most common reason: ${s.mostCommonReason ?? "-"}`,
  ].join("   ");
  const max = Math.max(...s.perRun.map((r) => r.cleaned));
  const columns: Column[] = [
    { title: "WHEN" },
    { title: "TRIGGER", dropOrder: 2 },
    { title: "SCANNED", align: "right", dropOrder: 1 },
    { title: "MS", align: "right", dropOrder: 3 },
    { title: "CLEANED", align: "right" },
    { title: "", flex: true },
  ];
  const cells = s.perRun.map((r) => [
    r.at.replace("T", " ").slice(0, 19),
    r.dryRun ? `${r.trigger} (dry)` : r.trigger,
    String(r.scanned),
    String(r.durationMs),
    r.dryRun ? "-" : `${r.cleaned}${r.counts.failed ? ` (${r.counts.failed} failed)` : ""}`,
  ]);
  // The bars are scaled to what the other columns leave of the width, never cut with "…".
  const rest = width === null ? BAR_WIDTH : width - widest(renderTable(columns.slice(0, -1), cells, width)) - 2;
  const barWidth = Math.min(BAR_WIDTH, rest);
  if (barWidth < 1) return `${head}\n\n${renderTable(columns.slice(0, -1), cells, width)}`;
  const rows = s.perRun.map((r, i) => [...cells[i]!, bar(r.cleaned, max, barWidth)]);
  return `${head}\n\n${renderTable(columns, rows, width)}`;
}

function widest(text: string): number {
  return Math.max(...text.split("\n").map((line) => line.length));
}

/** A bar of `value` against `max`, at most `width` cells, in eighths of a cell. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0) return "";
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return "█".repeat(Math.floor(eighths / 8)) + (eighths % 8 ? " ▏▎▍▌▋▊▉"[eighths % 8] : "");
}
