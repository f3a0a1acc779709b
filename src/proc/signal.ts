// The only place that sends signals. Every send re-reads the target right before it and
// refuses pid 1, kernel threads, other users' processes, ourselves and our ancestors.

import { currentIfSame, identityOf, isLiveSince, type ProcessIdentity } from "./identity.ts";
import { readNow } from "./facts.ts";
import { nodeFs } from "../lazy-fs.ts";
import { readProcText } from "./read.ts";
import { isKernelThread, type ProcStat, type StatReader } from "./stat.ts";

export type SendResult = "sent" | "gone" | "refused";

/** What a send reads and does; tests inject their own. */
export interface SignalIo {
  stat: StatReader;
  uid: (pid: number) => number | null;
  kill: (target: number, signal: number) => void;
  ownUid: number;
  /** /proc is our pid namespace's: its pids are the ones kill(2) takes. */
  procIsOurs: () => boolean;
}

let procMatches: boolean | undefined;

/**
 * A process in a child pid namespace that kept its parent's /proc (`unshare -pf` without
 * --mount-proc, bwrap without --proc) reads pids in one numbering and signals in another.
 * Its own pid can line up in both (by chance where both are small, or on purpose): NSpid,
 * which lists a pid in every namespace from the one /proc belongs to down to ours, proves it.
 */
function ownProc(): boolean {
  procMatches ??= (() => {
    try {
      if (nodeFs().readlinkSync("/proc/self") !== String(process.pid)) return false;
      const nspid = /^NSpid:\s*(.*)$/m.exec(readProcText("/proc/self/status"))?.[1];
      // A kernel before 4.1 shows no NSpid: the link is all there is to go by.
      return nspid === undefined || nspid.trim().split(/\s+/).length === 1;
    } catch {
      return false;
    }
  })();
  return procMatches;
}

const realIo: SignalIo = { stat: readNow.stat, uid: readNow.uid, kill: (target, signal) => process.kill(target, signal), ownUid: process.getuid?.() ?? -1, procIsOurs: ownProc };

export interface Lineage {
  pids: Set<number>;
  groups: Set<number>;
}

/** Our own pid and every ancestor's, with their process groups: never to be signalled. */
export function ownLineage(read: StatReader = readNow.stat, self = process.pid): Lineage {
  const pids = new Set<number>();
  const groups = new Set<number>();
  let pid = self;
  while (pid > 0 && !pids.has(pid)) {
    pids.add(pid);
    const stat = read(pid);
    if (!stat) break;
    groups.add(stat.pgrp);
    pid = stat.ppid;
  }
  return { pids, groups };
}

/** Whose process it is: "gone" when there is none at the pid. */
function ownerCheck(pid: number, io: SignalIo): "refused" | "gone" | null {
  const uid = io.uid(pid);
  if (uid === null) return "gone";
  return uid === io.ownUid ? null : "refused";
}

/** What the stat says may never be signalled. */
function forbiddenByStat(stat: ProcStat, lineage: Lineage): boolean {
  return stat.pid <= 1 || isKernelThread(stat) || lineage.pids.has(stat.pid);
}

/**
 * The process at the identity's pid, if it may be signalled: its owner first, then its
 * identity, so that the identity re-read is the last step before kill(2).
 */
function checkedTarget(identity: ProcessIdentity, lineage: Lineage, io: SignalIo): ProcStat | "refused" | "gone" {
  if (identity.pid <= 1 || lineage.pids.has(identity.pid) || !io.procIsOurs()) return "refused";
  const owner = ownerCheck(identity.pid, io);
  if (owner !== null) return owner;
  const stat = currentIfSame(identity, io.stat);
  if (!stat) return "gone";
  return forbiddenByStat(stat, lineage) ? "refused" : stat;
}

/** Signal one process, only if it is still the identified one. */
export function signalProcess(identity: ProcessIdentity, signal: number, lineage = ownLineage(), io: SignalIo = realIo): SendResult {
  const target = checkedTarget(identity, lineage, io);
  return typeof target === "string" ? target : send(target.pid, signal, io);
}

export interface GroupSend {
  result: SendResult;
  /** Members that had left the group (a setsid since the scan) when re-read around the send: it may not have reached them. */
  left: ProcStat[];
}

/**
 * Signal a whole process group. `members` must come from a scan that proved the group ours;
 * one of them is re-read right before the send to prove the id is still in use by it. Only a
 * member that may not be signalled makes it a member-by-member send: one that exited since
 * the scan does not (the group send is what reaches processes forked after the scan).
 */
export function signalGroup(pgid: number, members: readonly ProcStat[], signal: number, lineage = ownLineage(), io: SignalIo = realIo): GroupSend {
  if (pgid <= 1 || lineage.groups.has(pgid) || !io.procIsOurs()) return { result: "refused", left: [] };
  const live: ProcStat[] = [];
  const left: ProcStat[] = [];
  for (const member of members) {
    const now = checkedTarget(identityOf(member), lineage, io);
    if (now === "gone") continue;
    // A group holding someone else's process is signalled member by member, skipping theirs.
    if (now === "refused") return { result: signalEach(members, signal, lineage, io), left: [] };
    (now.pgrp === pgid ? live : left).push(now);
  }
  if (live.length === 0) return { result: "gone", left };
  const result = send(-pgid, signal, io);
  // One whose setsid fell between its re-read and kill(2) was missed: read again, it counts as
  // left. One whose setsid came after the send but before this read gets the first signal
  // twice: the windows grow with the members read (docs/design.md has a measured rate).
  for (const member of live) {
    const now = io.stat(member.pid);
    if (isLiveSince(member.startTicks, now) && now.pgrp !== pgid) left.push(now);
  }
  return { result, left };
}

/** Member by member; "refused" when something was left to refuse and nothing was reached. */
function signalEach(members: readonly ProcStat[], signal: number, lineage: Lineage, io: SignalIo): SendResult {
  let result: SendResult = "gone";
  for (const member of members) {
    const sent = signalProcess(identityOf(member), signal, lineage, io);
    if (sent === "sent") result = "sent";
    else if (sent === "refused" && result === "gone") result = "refused";
  }
  return result;
}

function send(target: number, signal: number, io: SignalIo): SendResult {
  try {
    io.kill(target, signal);
    return "sent";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "gone";
    return "refused";
  }
}
