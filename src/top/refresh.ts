// Between top's full looks (every few refreshes), only the rows on screen are read again: one
// stat each for their CPU, memory and state, instead of every process's stat, owner and
// environment. A row whose process is gone, or whose pid now names another (its start time
// differs), leaves; a process started meanwhile shows at the next full look.

import { CLOCK_TICKS_PER_SECOND, uptimeTicks } from "../proc/boot.ts";
import { isGone, readStat, type ProcStat } from "../proc/stat.ts";
import type { ShownProcess } from "../ownership/owned-now.ts";

const PAGE_BYTES = 4096;

/** Each row's process as the full look found it: pid to start tick; a row whose stat cannot be read is left out. */
export function identitiesOf(rows: readonly ShownProcess[], read: (pid: number) => ProcStat | null = readStat): Map<number, number> {
  const out = new Map<number, number>();
  for (const row of rows) {
    const stat = read(row.pid);
    if (stat && !isGone(stat)) out.set(row.pid, stat.startTicks);
  }
  return out;
}

/** The rows with their CPU, RSS, age and state read now; those whose process is gone or replaced, left out. */
export function refreshRows(rows: readonly ShownProcess[], identities: ReadonlyMap<number, number>, nowTicks = uptimeTicks(), read: (pid: number) => ProcStat | null = readStat): ShownProcess[] {
  const out: ShownProcess[] = [];
  for (const row of rows) {
    const stat = read(row.pid);
    if (stat === null || isGone(stat) || identities.get(row.pid) !== stat.startTicks) continue;
    out.push({
      ...row,
      state: stat.state,
      ageSeconds: Math.max(0, Math.floor((nowTicks - stat.startTicks) / CLOCK_TICKS_PER_SECOND)),
      cpuSeconds: (stat.utimeTicks + stat.stimeTicks) / CLOCK_TICKS_PER_SECOND,
      rssBytes: stat.rssPages * PAGE_BYTES,
    });
  }
  return out;
}
