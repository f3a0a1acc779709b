// The only place that sends signals. Every send re-reads the target right before it and
// refuses pid 1, kernel threads, other users' processes, ourselves and our ancestors.

import { currentIfSame, identityOf, type ProcessIdentity } from "./identity.ts";
import { isKernelThread, readStat, readUid, type ProcStat } from "./stat.ts";

export type SendResult = "sent" | "gone" | "refused";

const ownUid = process.getuid?.() ?? -1;

/** Our own pid and every ancestor's, with their process groups: never to be signalled. */
export function ownLineage(): { pids: Set<number>; groups: Set<number> } {
  const pids = new Set<number>();
  const groups = new Set<number>();
  let pid = process.pid;
  while (pid > 0 && !pids.has(pid)) {
    pids.add(pid);
    const stat = readStat(pid);
    if (!stat) break;
    groups.add(stat.pgrp);
    pid = stat.ppid;
  }
  return { pids, groups };
}

/** Why a live process may not be signalled: "gone" when it vanished while we looked. */
function forbidden(stat: ProcStat, lineage: ReturnType<typeof ownLineage>): "refused" | "gone" | null {
  if (stat.pid <= 1 || isKernelThread(stat) || lineage.pids.has(stat.pid)) return "refused";
  const uid = readUid(stat.pid);
  // The process exited between reading its stat and its owner: nothing left to signal.
  if (uid === null) return "gone";
  return uid === ownUid ? null : "refused";
}

/** Signal one process, only if it is still the identified one. */
export function signalProcess(identity: ProcessIdentity, signal: number, lineage = ownLineage()): SendResult {
  const stat = currentIfSame(identity);
  if (!stat) return "gone";
  return forbidden(stat, lineage) ?? send(stat.pid, signal);
}

/**
 * Signal a whole process group. `members` must come from a scan that proved the group
 * ours; one of them is re-read right before the send to prove the id is still in use by it.
 */
export function signalGroup(pgid: number, members: readonly ProcStat[], signal: number, lineage = ownLineage()): SendResult {
  if (pgid <= 1 || lineage.groups.has(pgid)) return "refused";
  // A group holding someone else's process is signalled member by member, skipping theirs.
  if (members.some((m) => forbidden(m, lineage) !== null)) {
    let result: SendResult = "gone";
    for (const member of members) {
      const r = signalProcess(identityOf(member), signal, lineage);
      if (r === "sent") result = "sent";
    }
    return result;
  }
  const witness = members.find((m) => currentIfSame(identityOf(m))?.pgrp === pgid);
  if (!witness) return "gone";
  return send(-pgid, signal);
}

function send(target: number, signal: number): SendResult {
  try {
    process.kill(target, signal);
    return "sent";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "gone";
    return "refused";
  }
}
