// `supervise stats [--json]`: the reap history as a dashboard: totals, the most common
// reason, one row per run with a bar of what it cleaned.

import { writeJson, writeOut } from "../cli/output.ts";
import { terminalWidth } from "../cli/terminal.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { listRuns } from "../reap/history.ts";
import { historyStats } from "../reap/stats.ts";
import { renderStats } from "../render/stats.ts";
import { stateDir } from "../state-dir.ts";

export default async function stats(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { json: {} }, { positionals: 0 });
  const dir = stateDir();
  const runs = await readingLedger(dir, async () => {
    const db = existingLedger(dir);
    return db ? listRuns(db) : [];
  });
  const result = historyStats(runs);
  await (options.json ? writeJson(result) : writeOut(renderStats(result, await terminalWidth(1))));
  return 0;
}
