// Finding the processes that belong to one supervised command: its process group, and
// the processes that left the group but still carry its SUPERVISE_ID cookie.

import { environHas, readNow } from "./facts.ts";
import { forkCount, pidsAllocatedSince } from "./pid-window.ts";
import { listPids, readNumber } from "./read.ts";
import { isGone, isKernelThread, type ProcStat } from "./stat.ts";
import { currentIfSame, type ProcessIdentity } from "./identity.ts";

export const COOKIE = "SUPERVISE_ID";

/** What the ledger knows about one command, enough to find its processes again. */
export interface EntryRef {
  id: string;
  pgid: number | null;
  leader: ProcessIdentity | null;
  /** Nothing started before this tick can be the command's: the wrapper's own start time. */
  sinceTicks: number;
  /** The wrapper's pid and the fork counter when it started: the command's pids were allocated after. */
  since?: { pid: number; forks: number };
  /** The pid namespace the pids were recorded in; null: not recorded (an entry from before v7). */
  namespace?: string | null;
}

export interface EntryProcesses<T = ProcStat> {
  /** Live members of the command's process group (empty unless the group is proven). */
  members: T[];
  /** The group is provably the command's, so the whole group may be signalled. */
  groupProven: boolean;
  /** Live cookie carriers outside the group. */
  carriers: T[];
}

/** One pass over /proc (or over the given pids): every live, non-kernel process. */
export function scanProcesses(pids: readonly number[] = listPids()): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const pid of pids) {
    const stat = readNow.stat(pid);
    if (stat && !isGone(stat) && !isKernelThread(stat)) stats.push(stat);
  }
  return stats;
}

export function carriesCookie(pid: number, id: string): boolean {
  const environ = readNow.environ(pid);
  return environ !== null && environHas(environ, COOKIE, id);
}

/** The processes that can be the entry's: on a quiet machine a handful of pids, not all of /proc. */
export function scanForEntry(ref: EntryRef): ProcStat[] {
  const recent = ref.since ? pidsAllocatedSince(ref.since.pid, ref.since.forks) : null;
  return scanProcesses(recent ?? listPids());
}

/** What findEntryProcesses needs to know beyond stat: live /proc reads, or a reaper's snapshot. */
export interface EntryProbe {
  carriesCookie(pid: number, id: string): boolean;
  /** The leader's current stat if it is still the recorded process. */
  currentLeader(identity: ProcessIdentity): Pick<ProcStat, "pgrp"> | null;
}

const liveProbe: EntryProbe = { carriesCookie, currentLeader: currentIfSame };

/** A live probe that reads each environment once, for a batch of entries looked for in one scan. */
export function sharedProbe(): EntryProbe & { environ(pid: number): string | null } {
  const environs = new Map<number, string | null>();
  const environ = (pid: number) => {
    if (!environs.has(pid)) environs.set(pid, readNow.environ(pid));
    return environs.get(pid)!;
  };
  return {
    environ,
    carriesCookie(pid, id) {
      const text = environ(pid);
      return text !== null && environHas(text, COOKIE, id);
    },
    currentLeader: currentIfSame,
  };
}

type Member = Pick<ProcStat, "pid" | "pgrp" | "startTicks">;

export function findEntryProcesses<T extends Member = ProcStat>(
  ref: EntryRef,
  stats: readonly T[] = scanForEntry(ref) as unknown as T[],
  probe: EntryProbe = liveProbe,
): EntryProcesses<T> {
  const members: T[] = [];
  const carriers: T[] = [];
  for (const stat of stats) {
    if (ref.pgid !== null && stat.pgrp === ref.pgid) members.push(stat);
    // environ is read only for processes young enough to be descendants.
    else if (stat.startTicks >= ref.sinceTicks && stat.pid !== process.pid && probe.carriesCookie(stat.pid, ref.id)) carriers.push(stat);
  }
  // Members of a group we cannot prove are not ours: they are neither counted nor signalled.
  const groupProven = isGroupProven(ref, members, probe);
  return { members: groupProven ? members : [], groupProven, carriers };
}

// The group id cannot be reused while any member exists, so one member that is provably
// ours proves the whole group. A member older than the command means the id was reused.
function isGroupProven(ref: EntryRef, members: readonly Member[], probe: EntryProbe): boolean {
  if (members.length === 0 || ref.pgid === null) return false;
  if (members.some((m) => m.startTicks < ref.sinceTicks)) return false;
  if (ref.leader && probe.currentLeader(ref.leader)?.pgrp === ref.pgid) return true;
  return members.some((m) => probe.carriesCookie(m.pid, ref.id));
}

export function countAlive(found: EntryProcesses<unknown>): number {
  return found.members.length + found.carriers.length;
}

/** Where a scan began in pid space: pids allocated after `pid` were forked since (proc/pid-window.ts). */
export interface ForkMark {
  pid: number;
  forks: number;
}

/** The last pid allocated and the fork counter now; read before listing /proc, it marks the scan's start. */
export function forkMark(): ForkMark | null {
  const forks = forkCount();
  const pid = readNumber("/proc/sys/kernel/ns_last_pid");
  return forks === null || pid === null ? null : { pid, forks };
}

/**
 * The live processes forked since the mark (every live process when the window cannot say: a
 * wrap, too many forks), and those of `also`; what is not read by `endBy` is left out.
 */
export function scanForkedSince(mark: ForkMark | null, also: Iterable<number> = [], endBy = Infinity): ProcStat[] {
  const recent = mark ? pidsAllocatedSince(mark.pid, mark.forks) : null;
  const pids = [...new Set([...also, ...(recent ?? listPids())])];
  const stats: ProcStat[] = [];
  for (let at = 0; at < pids.length && Date.now() < endBy; at += 64) stats.push(...scanProcesses(pids.slice(at, at + 64)));
  return stats;
}

/** A process a descendant search starts from, and whose tree its descendants join. */
export interface TreeRoot<K> {
  stat: Pick<ProcStat, "pid" | "startTicks">;
  owner: K;
}

type Linked = Pick<ProcStat, "pid" | "ppid" | "startTicks">;

/**
 * The candidates below a root by their parent chains, each link started no earlier than its
 * parent (a parent younger than its child is a reused pid) and admitted itself: one that is
 * not admitted cuts off everything below it. Roots are never their own descendants.
 */
export function descendantsOf<K, T extends Linked>(
  roots: ReadonlyMap<number, TreeRoot<K>>,
  candidates: readonly T[],
  admit: (proc: T, owner: K) => boolean,
): Map<number, { proc: T; owner: K }> {
  const byPid = new Map<number, T>();
  for (const c of candidates) if (!roots.has(c.pid)) byPid.set(c.pid, c);
  const joined = new Map<number, { proc: T; owner: K }>();
  const judged = new Set<number>();
  const resolve = (proc: T, path: Set<number>): K | null => {
    if (joined.has(proc.pid)) return joined.get(proc.pid)!.owner;
    if (judged.has(proc.pid) || path.has(proc.pid)) return null;
    path.add(proc.pid);
    const root = roots.get(proc.ppid);
    const parent = root ? null : byPid.get(proc.ppid);
    let owner: K | null = null;
    if (root && proc.startTicks >= root.stat.startTicks) owner = root.owner;
    else if (parent && proc.startTicks >= parent.startTicks) owner = resolve(parent, path);
    judged.add(proc.pid);
    if (owner === null || !admit(proc, owner)) return null;
    joined.set(proc.pid, { proc, owner });
    return owner;
  };
  for (const c of byPid.values()) resolve(c, new Set());
  return joined;
}
