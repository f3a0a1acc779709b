// Which pids can belong to a command started at a known moment, without listing /proc.

import { nodeFs } from "../lazy-fs.ts";
import { readNumber, readProcText } from "./read.ts";

/**
 * Processes whose pids were allocated after `sincePid`, when that is cheaper than listing
 * /proc. The kernel hands out pids in increasing order until it wraps at pid_max; /proc/stat's
 * fork counter proves no wrap can hide in the range (fewer forks than the distance to a full
 * lap). null means "list /proc": too many forks since, a wrap, or unreadable files.
 */
export function pidsAllocatedSince(sincePid: number, forksAtStart: number, maxSpan = 2048): number[] | null {
  const forks = forkCount();
  const last = readNumber("/proc/sys/kernel/ns_last_pid");
  if (forks === null || last === null || forks - forksAtStart > maxSpan || last < sincePid) return null;
  // Our own threads are in the range too; one listing spares reading each one's status.
  const ownThreads = new Set(nodeFs().readdirSync("/proc/self/task").map(Number));
  const pids: number[] = [];
  for (let pid = sincePid + 1; pid <= last; pid++) if (!ownThreads.has(pid) && isProcess(pid)) pids.push(pid);
  return pids;
}

const TGID = /^Tgid:\s*(\d+)$/m;

/**
 * Thread ids share the pid space, and /proc/TID answers for a thread of any process (only
 * listing /proc leaves them out): an id is a process only when it leads its thread group.
 * Most ids of a busy range are already free: a stat that cannot throw finds those first.
 */
function isProcess(pid: number): boolean {
  const dir = `/proc/${pid}`;
  try {
    return nodeFs().statSync(dir, { throwIfNoEntry: false }) !== undefined && Number(TGID.exec(readProcText(`${dir}/status`))?.[1]) === pid;
  } catch {
    return false;
  }
}

/** Forks since boot, system-wide (the `processes` line of /proc/stat). */
export function forkCount(): number | null {
  try {
    const match = /^processes (\d+)$/m.exec(readProcText("/proc/stat"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
