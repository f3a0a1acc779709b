// `supervise reap` for people: a line per target, then the counts.

import { cleanedCount, type ReapReport } from "../reap/report.ts";
import { formatDuration } from "../time/duration.ts";
import { cut, printable } from "./table.ts";

export function summarize(report: ReapReport): string {
  const lines: string[] = [];
  const { counts } = report;
  const found = report.targets.length;
  const head = report.dryRun ? `dry run: ${found} target${found === 1 ? "" : "s"} would be ended` : `reaped ${cleanedCount(counts)} of ${found} target${found === 1 ? "" : "s"}`;
  lines.push(`${head} (${report.scanned} processes scanned in ${report.durationMs} ms)`);
  for (const t of report.targets) {
    const signal = t.signal ? ` ${t.signal}` : "";
    const pending = t.pending ? " (still alive when the time budget ran out)" : "";
    lines.push(`  ${String(t.pid).padStart(7)}  ${t.action}${signal}  ${t.reason}  ${formatDuration(t.ageSeconds * 1000)}  ${cut(printable(t.command || t.name), 80)}${pending}`);
  }
  if (!report.dryRun && found) {
    lines.push(`terminated ${counts.terminated}, killed ${counts.killed}, already gone ${counts.gone}, failed ${counts.failed}, zombies ${counts.zombies}`);
  }
  for (const error of report.errors) lines.push(`error: ${error}`);
  return `${lines.join("\n")}\n`;
}
