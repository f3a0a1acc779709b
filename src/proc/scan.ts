// Finding the processes that belong to one supervised command: its process group, and
// the processes that left the group but still carry its SUPERVISE_ID cookie.

import { environHas, readEnviron } from "./facts.ts";
import { pidsAllocatedSince } from "./pid-window.ts";
import { listPids } from "./read.ts";
import { isGone, isKernelThread, readStat, type ProcStat } from "./stat.ts";
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
    const stat = readStat(pid);
    if (stat && !isGone(stat) && !isKernelThread(stat)) stats.push(stat);
  }
  return stats;
}

export function carriesCookie(pid: number, id: string): boolean {
  const environ = readEnviron(pid);
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
    if (!environs.has(pid)) environs.set(pid, readEnviron(pid));
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
