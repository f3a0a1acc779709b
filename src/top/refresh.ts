// Between top's full looks (every few refreshes), only the rows on screen are read again: one
// stat each for their CPU, memory and state, instead of every process's stat, owner and
// environment. A row whose process is gone, or whose pid now names another (its start time
// differs), leaves; a process started meanwhile shows at the next full look.

import { uptimeTicks } from "../proc/boot.ts";
import { isGone, PAGE_BYTES, type ProcStat } from "../proc/stat.ts";
import type { ShownProcess } from "../ownership/owned-now.ts";
import { processTimes } from "../proc/times.ts";
import { readNow } from "../proc/facts.ts";

/** The rows with their CPU, RSS, age and state read now; those whose process is gone or replaced (`identities`: pid to start tick, from the full look), left out. */
export function refreshRows(rows: readonly ShownProcess[], identities: ReadonlyMap<number, number>, nowTicks = uptimeTicks(), read: (pid: number) => ProcStat | null = readNow.stat): ShownProcess[] {
  const out: ShownProcess[] = [];
  for (const row of rows) {
    const stat = read(row.pid);
    if (stat === null || isGone(stat) || identities.get(row.pid) !== stat.startTicks) continue;
    out.push({
      ...row,
      state: stat.state,
      ...processTimes(stat, nowTicks),
      rssBytes: stat.rssPages * PAGE_BYTES,
    });
  }
  return out;
}
