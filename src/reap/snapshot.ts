// One pass over /proc for the reaper. Cheap facts (stat, owner) for every process; the
// command line and environment only for the few that can matter (pitfall 8: reading
// them for everything costs tens of milliseconds on a busy machine).

import { isGone, isKernelThread, listPids, readCmdline, readEnviron, readStat, readUid, uptimeTicks } from "../proc/stat.ts";
import type { ProcInfo } from "./rules.ts";

export interface Snapshot {
  procs: ProcInfo[];
  nowTicks: number;
  subreapers: Set<number>;
}

export interface SnapshotNeeds {
  ownUid: number;
  /** Process names whose command line and environment the rules need. */
  names: ReadonlySet<string>;
  /** Environments of same-user processes started at or after this tick are read for cookies; null: none. */
  cookiesSinceTicks: number | null;
}

export function takeSnapshot(needs: SnapshotNeeds, pids: readonly number[] = listPids()): Snapshot {
  const procs: ProcInfo[] = [];
  const subreapers = new Set<number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    const kernel = isKernelThread(stat);
    const named = needs.names.has(stat.comm) || stat.comm === "systemd";
    const cookieAge = needs.cookiesSinceTicks !== null && stat.startTicks >= needs.cookiesSinceTicks;
    // The owner only for processes a rule can reach; the rest stay "unknown", never targets.
    const uid = kernel || !(named || cookieAge) ? null : readUid(pid);
    const live = !isGone(stat);
    const mine = uid === needs.ownUid;
    const argv = !kernel && live && named ? readCmdline(pid) : null;
    const environ = mine && live && (named || cookieAge) ? readEnviron(pid) : null;
    if (stat.comm === "systemd" && argv?.includes("--user")) subreapers.add(pid);
    procs.push({ ...stat, kernel, uid, argv, environ });
  }
  return { procs, nowTicks: uptimeTicks(), subreapers };
}

