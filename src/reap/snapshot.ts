// One pass over /proc for the reaper. Cheap facts (stat) for every process; the owner, the
// command line and the environment only for the processes a rule can reach (reading them
// for everything costs tens of milliseconds on a busy machine):
// - processes named like a target (rg, shells), and systemd (to find `systemd --user`);
// - same-user processes young enough to carry a running entry's cookie;
// - the session scope: same-user orphans and everything below them, where a dead session's
//   leftovers live. A live agent's own children are not in it: their parent is the agent.

import { isGone, isKernelThread, listPids, readCmdline, readEnviron, readPidNamespace, readStat, readUid, uptimeTicks, type ProcStat } from "../proc/stat.ts";
import type { ProcInfo } from "./rules.ts";

export interface Snapshot {
  procs: ProcInfo[];
  nowTicks: number;
  subreapers: Set<number>;
  /** Listed pids whose stat could not be read: nothing is known of them. */
  unreadable: Set<number>;
}

export interface SnapshotNeeds {
  ownUid: number;
  /** Process names whose command line and environment the rules need. */
  names: ReadonlySet<string>;
  /** Environments of same-user processes started at or after this tick are read for cookies; null: none. */
  cookiesSinceTicks: number | null;
  /** Read the session scope (orphans and their descendants); off, the snapshot is the seed's. */
  sessionScope?: boolean;
}

export function takeSnapshot(needs: SnapshotNeeds, pids: readonly number[] = listPids()): Snapshot {
  const stats: ProcStat[] = [];
  const unreadable = new Set<number>();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) stats.push(stat);
    else unreadable.add(pid);
  }
  const subreapers = new Set<number>();
  for (const stat of stats) {
    if (stat.comm === "systemd" && !isKernelThread(stat) && readCmdline(stat.pid)?.includes("--user")) subreapers.add(stat.pid);
  }
  const scope = needs.sessionScope ? sessionScope(stats, subreapers, needs.ownUid) : new Map<number, number>();
  const ownNamespace = scope.size ? readPidNamespace("self") : null;

  const procs: ProcInfo[] = [];
  for (const stat of stats) {
    const kernel = isKernelThread(stat);
    const live = !isGone(stat);
    const named = needs.names.has(stat.comm) || stat.comm === "systemd";
    const cookieAge = needs.cookiesSinceTicks !== null && stat.startTicks >= needs.cookiesSinceTicks;
    const scoped = scope.has(stat.pid);
    // The owner only for processes a rule can reach; the rest stay "unknown", never targets.
    const uid = scoped ? scope.get(stat.pid)! : kernel || !(named || cookieAge) ? null : readUid(stat.pid);
    const mine = uid === needs.ownUid;
    const argv = !kernel && live && (named || scoped) ? readCmdline(stat.pid) : null;
    const environ = mine && live && (named || cookieAge || scoped) ? readEnviron(stat.pid) : null;
    const proc: ProcInfo = { ...stat, kernel, uid, argv, environ };
    if (scoped) {
      proc.inSessionScope = true;
      const namespace = live ? readPidNamespace(stat.pid) : null;
      proc.sameNamespace = namespace === null || ownNamespace === null ? null : namespace === ownNamespace;
    }
    procs.push(proc);
  }
  return { procs, nowTicks: uptimeTicks(), subreapers, unreadable };
}

/** Same-user orphans (parent pid 1 or a `systemd --user`) and all their descendants, with their uids. */
function sessionScope(stats: readonly ProcStat[], subreapers: ReadonlySet<number>, ownUid: number): Map<number, number> {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const scope = new Map<number, number>();
  const queue: ProcStat[] = [];
  for (const stat of stats) {
    if ((stat.ppid === 1 || subreapers.has(stat.ppid)) && stat.pid > 1 && !isKernelThread(stat)) queue.push(stat);
  }
  while (queue.length) {
    const stat = queue.pop()!;
    if (scope.has(stat.pid)) continue;
    const uid = readUid(stat.pid);
    // Another user's process is not ours to reach, nor (through it) anything below it.
    if (uid !== ownUid) continue;
    scope.set(stat.pid, uid);
    for (const child of children.get(stat.pid) ?? []) queue.push(child);
  }
  return scope;
}
