// `supervise reap` for people: a line of what was found, a table of the targets, the counts.

import { cleanedCount, type ReapReport } from "../reap/report.ts";
import { formatDuration } from "../time/duration.ts";
import { renderTable, type Column } from "./table.ts";

const COLUMNS: readonly Column[] = [
  { title: "PID", align: "right" },
  { title: "ACTION" },
  { title: "SIGNAL" },
  { title: "REASON" },
  { title: "AGE", align: "right" },
  { title: "COMMAND", flex: true },
];

export function summarize(report: ReapReport, width: number | null = null): string {
  const lines: string[] = [];
  const { counts } = report;
  const found = report.targets.length;
  const head = report.dryRun ? `dry run: ${found} target${found === 1 ? "" : "s"} would be ended` : `reaped ${cleanedCount(counts)} of ${found} target${found === 1 ? "" : "s"}`;
  lines.push(`${head} (${report.scanned} processes scanned in ${report.durationMs} ms)`);
  if (found) {
    const rows = report.targets.map((t) => [
      String(t.pid),
      t.pending ? `${t.action} (budget ran out)` : t.action,
      t.signal ?? "-",
      t.reason,
      formatDuration(t.ageSeconds * 1000),
      t.command || t.name,
    ]);
    lines.push(renderTable(COLUMNS, rows, width).trimEnd());
  }
  if (!report.dryRun && found) {
    lines.push(`terminated ${counts.terminated}, killed ${counts.killed}, already gone ${counts.gone}, failed ${counts.failed}, zombies ${counts.zombies}`);
  }
  for (const error of report.errors) lines.push(`error: ${error}`);
  return `${lines.join("\n")}\n`;
}
