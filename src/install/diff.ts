// What `install --dry-run` shows: the change as a unified diff of lines, not the whole file.

/** `before` → `after` as `--- a`/`+++ b` and hunks with 3 lines of context; "" when they are the same. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = lineOps(a, b);
  if (ops.every((op) => op.kind === " ")) return "";
  const out = [`--- ${path}`, `+++ ${path} (after)`];
  // Hunks: runs of changes with their context, merged when the contexts meet.
  const changed = ops.map((op, i) => (op.kind === " " ? -1 : i)).filter((i) => i >= 0);
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1]! - changed[end]! <= 2 * context + 1) end++;
    const from = Math.max(0, changed[start]! - context);
    const to = Math.min(ops.length, changed[end]! + context + 1);
    const hunk = ops.slice(from, to);
    const aStart = ops.slice(0, from).filter((op) => op.kind !== "+").length;
    const bStart = ops.slice(0, from).filter((op) => op.kind !== "-").length;
    const aLen = hunk.filter((op) => op.kind !== "+").length;
    const bLen = hunk.filter((op) => op.kind !== "-").length;
    out.push(`@@ -${aStart + (aLen ? 1 : 0)},${aLen} +${bStart + (bLen ? 1 : 0)},${bLen} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    start = end + 1;
  }
  return `${out.join("\n")}\n`;
}

interface Op {
  kind: " " | "-" | "+";
  line: string;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** The edit script of a longest common subsequence: settings files are a few hundred lines. */
function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: "-", line: a[i++]! });
    // What goes comes before what replaces it, as diff -u shows it.
    else ops.push({ kind: "+", line: b[j++]! });
  }
  return ops;
}
