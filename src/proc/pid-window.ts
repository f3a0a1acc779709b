// Which pids can belong to a command started at a known moment, without listing /proc.

import { nodeFs } from "../lazy-fs.ts";
import { readNumber, readProcText } from "./read.ts";

/**
 * Pids allocated after `sincePid`, when that is cheaper than listing /proc. The kernel
 * hands out pids in increasing order until it wraps at pid_max; /proc/stat's fork counter
 * proves no wrap can hide in the range (fewer forks than the distance to a full lap).
 * null means "list /proc": too many forks since, a wrap, or unreadable files.
 */
export function pidsAllocatedSince(sincePid: number, forksAtStart: number, maxSpan = 2048): number[] | null {
  const forks = forkCount();
  const last = readNumber("/proc/sys/kernel/ns_last_pid");
  if (forks === null || last === null || forks - forksAtStart > maxSpan || last < sincePid) return null;
  // Thread ids share the pid space; our own threads are in the range but are not processes.
  const ownThreads = new Set(nodeFs().readdirSync("/proc/self/task").map(Number));
  const pids: number[] = [];
  for (let pid = sincePid + 1; pid <= last; pid++) if (!ownThreads.has(pid)) pids.push(pid);
  return pids;
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
