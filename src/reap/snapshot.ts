// One pass over /proc for the reaper. Cheap facts (stat) for every process; the owner, the
// command line and the environment only for the processes a rule can reach (reading them
// for everything costs tens of milliseconds on a busy machine):
// - processes named like a target (rg, shells), and systemd (to find `systemd --user`);
// - same-user processes young enough to carry a running entry's cookie;
// - the session scope, where a dead session's leftovers live: same-user orphans, and below an
//   orphan that carries a session's cookie, its children that carry the same session's cookie
//   (a leaked tree: npm -> node -> esbuild). A live agent's own children are not in it: their
//   parent is the agent, which is not a leftover of its own session.

import { sessionCookieOf } from "../ownership/cookie.ts";
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
  /** Every same-user process's owner, command line and environment (`supervise ps`). */
  everyProcessOfUser?: boolean;
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
  const scope = needs.sessionScope ? sessionScope(stats, subreapers, needs.ownUid) : new Map<number, Scoped>();
  const ownNamespace = scope.size ? readPidNamespace("self") : null;

  const procs: ProcInfo[] = [];
  for (const stat of stats) {
    const kernel = isKernelThread(stat);
    const live = !isGone(stat);
    const named = needs.names.has(stat.comm) || stat.comm === "systemd" || needs.everyProcessOfUser === true;
    const cookieAge = needs.cookiesSinceTicks !== null && stat.startTicks >= needs.cookiesSinceTicks;
    const scoped = scope.has(stat.pid);
    // The owner only for processes a rule can reach; the rest stay "unknown", never targets.
    const uid = scoped ? needs.ownUid : kernel || !(named || cookieAge) ? null : readUid(stat.pid);
    const mine = uid === needs.ownUid;
    const argv = !kernel && live && (named || scoped) ? readCmdline(stat.pid) : null;
    const environ = scoped ? scope.get(stat.pid)!.environ : mine && live && (named || cookieAge) ? readEnviron(stat.pid) : null;
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

interface Scoped {
  environ: string | null;
}

/** Same-user orphans (parent pid 1 or a `systemd --user`), and the same-session cookie chains below them, with their environments. */
function sessionScope(stats: readonly ProcStat[], subreapers: ReadonlySet<number>, ownUid: number): Map<number, Scoped> {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const scope = new Map<number, Scoped>();
  const live = (stat: ProcStat) => stat.pid > 1 && !isKernelThread(stat) && !isGone(stat) && readUid(stat.pid) === ownUid;
  const queue: Array<{ stat: ProcStat; environ: string | null }> = [];
  for (const stat of stats) {
    if ((stat.ppid === 1 || subreapers.has(stat.ppid)) && live(stat)) queue.push({ stat, environ: readEnviron(stat.pid) });
  }
  while (queue.length) {
    const { stat, environ } = queue.pop()!;
    if (scope.has(stat.pid)) continue;
    scope.set(stat.pid, { environ });
    const session = sessionCookieOf(environ)?.session;
    if (!session) continue;
    for (const child of children.get(stat.pid) ?? []) {
      if (!live(child)) continue;
      const childEnviron = readEnviron(child.pid);
      if (sessionCookieOf(childEnviron)?.session === session) queue.push({ stat: child, environ: childEnviron });
    }
  }
  return scope;
}
