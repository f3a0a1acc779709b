// A process's age and CPU time from its stat, as ps, top and show print them.

import { CLOCK_TICKS_PER_SECOND } from "./boot.ts";
import type { ProcStat } from "./stat.ts";

/** A row's age and CPU time from its stat, as ps and top show them. */
export function processTimes(stat: Pick<ProcStat, "startTicks" | "utimeTicks" | "stimeTicks">, nowTicks: number): { ageSeconds: number; cpuSeconds: number } {
  return {
    ageSeconds: Math.max(0, Math.floor((nowTicks - stat.startTicks) / CLOCK_TICKS_PER_SECOND)),
    cpuSeconds: (stat.utimeTicks + stat.stimeTicks) / CLOCK_TICKS_PER_SECOND,
  };
}
