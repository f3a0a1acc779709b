// Reading /proc. Every read can fail (the process exited, EACCES, a kernel thread):
// a failed read is "unknown" (null), never a match and never a crash.

import { nodeFs } from "../lazy-fs.ts";

/** Shared by every /proc read; grows for the rare large file (a long environment). */
let scratch = Buffer.allocUnsafe(4096);

/**
 * A /proc file's text. /proc files report size 0, so readFileSync allocates 256 KiB for each
 * read: 10 wrappers checked every few seconds, or a 3,000-process sweep, churned the heap
 * enough to keep Bun's GC threads busy. One reused buffer does not.
 */
export function readProcText(path: string): string {
  const { openSync, readSync, closeSync } = nodeFs();
  const fd = openSync(path, "r");
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return scratch.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}

/** PF_KTHREAD in the flags field of /proc/PID/stat. */
const PF_KTHREAD = 0x00200000;

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z (zombie), X (dead), T, t, I, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  flags: number;
  utimeTicks: number;
  stimeTicks: number;
  /** Start time in clock ticks after boot: with the boot id and the pid, the process's identity. */
  startTicks: number;
  rssPages: number;
}

/**
 * The fields parseStat uses, as one sticky regex from just after ") ": field 0 (state)
 * through 21 (rss), split on single spaces exactly like split(" "). A regex runs as
 * compiled code from its first use; a loop of indexOf calls runs interpreted for the
 * first few hundred lines, which is all a listing parses (200 lines: 0.9 -> 0.45 ms).
 */
const FIELDS = /([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) [^ ]* ([^ ]*)(?: [^ ]*){4} ([^ ]*) ([^ ]*)(?: [^ ]*){6} ([^ ]*) [^ ]* ([^ ]*)/y;

/** Parse /proc/PID/stat text; fields are counted after the last ')' because comm may hold spaces and parens. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) return null;
  const pid = Number(text.slice(0, open));
  if (!Number.isInteger(pid)) return null;
  FIELDS.lastIndex = close + 2;
  const f = FIELDS.exec(text);
  if (f === null) return null;
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: f[1]!,
    ppid: Number(f[2]),
    pgrp: Number(f[3]),
    session: Number(f[4]),
    ttyNr: Number(f[5]),
    flags: Number(f[6]),
    utimeTicks: Number(f[7]),
    stimeTicks: Number(f[8]),
    startTicks: Number(f[9]),
    rssPages: Number(f[10]),
  };
  const finite = Number.isFinite;
  return finite(stat.ppid) && finite(stat.pgrp) && finite(stat.session) && finite(stat.startTicks) ? stat : null;
}

/** Reads one process's stat, or null; the synchronous readStat unless a caller prefetched. */
export type StatReader = (pid: number) => ProcStat | null;

export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readProcText(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/**
 * More than /proc/PID/stat can hold (a comm of at most 64 bytes, then 50 numbers of at most
 * 20 digits): with a known size Bun reads into a buffer that size (200 reads 1.3 -> 1.05 ms).
 */
const STAT_MAX_BYTES = 4096;

/**
 * Many processes' stat at once, read in parallel through Bun.file, without node:fs: for
 * 200 pids ~1 ms, against ~2.4 ms for importing node:fs and reading them one by one.
 * The returned reader answers from what was read (null for a pid not asked for).
 */
export async function prefetchStats(pids: Iterable<number>): Promise<StatReader> {
  const unique = Array.from(new Set(pids));
  const stats = await Promise.all(unique.map(readStatAsync));
  const byPid = new Map<number, ProcStat | null>();
  for (let i = 0; i < unique.length; i++) byPid.set(unique[i]!, stats[i]!);
  return (pid) => byPid.get(pid) ?? null;
}

/** One process's stat through Bun.file, read on Bun's I/O threads; null when unreadable. */
export function readStatAsync(pid: number): Promise<ProcStat | null> {
  return Bun.file(`/proc/${pid}/stat`).slice(0, STAT_MAX_BYTES).text().then(parseStat, unreadable);
}

const unreadable = () => null;

/** Zombies and dead tasks cannot be signalled away: treat them as gone. kill(pid, 0) would say alive. */
export function isGone(stat: ProcStat | null): boolean {
  return stat === null || stat.state === "Z" || stat.state === "X" || stat.state === "x";
}

/** By the PF_KTHREAD flag only: inside a PID namespace pid 2 and its children are ordinary processes. */
export function isKernelThread(stat: Pick<ProcStat, "flags">): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}

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

function readNumber(path: string): number | null {
  try {
    const value = Number(readProcText(path).trim());
    return Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}

export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of nodeFs().readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

/** The variables a process was started with; null when unreadable. */
export function readEnviron(pid: number): string | null {
  try {
    return readProcText(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
}

/** Whether NAME=VALUE is one of the NUL-separated entries (exactly, not as a prefix). */
export function environHas(environ: string, name: string, value: string): boolean {
  const entry = `${name}=${value}`;
  let at = environ.indexOf(entry);
  while (at !== -1) {
    const end = at + entry.length;
    if ((at === 0 || environ[at - 1] === "\0") && (end === environ.length || environ[end] === "\0")) return true;
    at = environ.indexOf(entry, at + 1);
  }
  return false;
}

export function readCmdline(pid: number): string[] | null {
  try {
    const raw = readProcText(`/proc/${pid}/cmdline`);
    const words = raw.split("\0");
    if (words.at(-1) === "") words.pop();
    return words;
  } catch {
    return null;
  }
}

/** The pid namespace a process is in ("pid:[4026531836]"); null when unreadable. */
export function readPidNamespace(pid: number | "self"): string | null {
  try {
    return nodeFs().readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** The same facts read on Bun's I/O threads: a sweep asks for hundreds at once. Null when unreadable. */
export function readEnvironAsync(pid: number): Promise<string | null> {
  return Bun.file(`/proc/${pid}/environ`).text().then((text) => text, unreadable);
}

export function readCmdlineAsync(pid: number): Promise<string[] | null> {
  return Bun.file(`/proc/${pid}/cmdline`).text().then((raw) => {
    const words = raw.split("\0");
    if (words.at(-1) === "") words.pop();
    return words;
  }, unreadable);
}

/** The owner of the process's /proc files: its effective uid (root's for a process that is not dumpable). */
export function readUidAsync(pid: number): Promise<number | null> {
  return Bun.file(`/proc/${pid}/stat`).stat().then((s) => s.uid, unreadable);
}

export function readPidNamespaceAsync(pid: number): Promise<string | null> {
  return (require("node:fs/promises") as typeof import("node:fs/promises")).readlink(`/proc/${pid}/ns/pid`).catch(unreadable);
}

/** Owner uid of a process (of its /proc directory); null when it is gone. */
export function readUid(pid: number): number | null {
  try {
    return nodeFs().statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

/** What bootId() answers when the boot id cannot be read: it never matches anything (sameBoot). */
export const UNKNOWN_BOOT = "unknown";

let cachedBootId: string | undefined;

/** Reads the boot id without node:fs; bootId() answers from memory after this. */
export async function loadBootId(): Promise<string> {
  cachedBootId ??= await Bun.file("/proc/sys/kernel/random/boot_id")
    .text()
    .then((text) => text.trim(), () => UNKNOWN_BOOT);
  return cachedBootId;
}

export function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readProcText("/proc/sys/kernel/random/boot_id").trim();
    } catch {
      cachedBootId = UNKNOWN_BOOT;
    }
  }
  return cachedBootId;
}

/** USER_HZ, the unit of /proc start times: fixed at 100 by the kernel ABI on x86 and arm. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Now, in the clock ticks /proc start times are counted in. */
export function uptimeTicks(): number {
  const seconds = Number(readProcText("/proc/uptime").split(" ")[0]);
  return Math.floor(seconds * CLOCK_TICKS_PER_SECOND);
}
