// `supervise stats [--json]`: the reap history as a dashboard: totals, the most common
// reason, one row per run with a bar of what it cleaned.

import { terminalWidth, writeOut } from "../cli/output.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { renderTable, type Column } from "../cli/table.ts";
import { UsageError } from "../errors.ts";
import { existingLedger } from "../ledger/open.ts";
import { listRuns } from "../reap/history.ts";
import { bar, historyStats, type HistoryStats } from "../reap/stats.ts";
import { stateDir } from "../state-dir.ts";

export default async function stats(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { json: {} });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const db = existingLedger(stateDir());
  const result = historyStats(db ? listRuns(db) : []);
  await writeOut(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderStats(result, await terminalWidth(1)));
  return 0;
}

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
  const rows = s.perRun.map((r) => [
    r.at.replace("T", " ").slice(0, 19),
    r.dryRun ? `${r.trigger} (dry)` : r.trigger,
    String(r.scanned),
    String(r.durationMs),
    r.dryRun ? "-" : `${r.cleaned}${r.counts.failed ? ` (${r.counts.failed} failed)` : ""}`,
    bar(r.cleaned, max, BAR_WIDTH),
  ]);
  return `${head}\n\n${renderTable(columns, rows, width)}`;
}
