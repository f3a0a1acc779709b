// /proc/PID/stat: the facts of every process that cost one small read (identity, state,
// parent, group, flags, CPU, memory), as proc/facts.ts reads them, and what they say.

/** PF_KTHREAD in the flags field of /proc/PID/stat. */
const PF_KTHREAD = 0x00200000;
/** PF_EXITING: set as do_exit begins, before the task is a zombie; there is no way back. */
const PF_EXITING = 0x00000004;

/** The size of a page, as stat's rss counts them (4 KiB on the architectures supervise runs on). */
export const PAGE_BYTES = 4096;

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
  /** CPU of its children that it reaped (a build's compilers, a loop's commands). */
  cutimeTicks: number;
  cstimeTicks: number;
  /** Start time in clock ticks after boot: with the boot id and the pid, the process's identity. */
  startTicks: number;
  rssPages: number;
  /** Where its stack starts (field 28): an execve lays out a new one (randomised), so it tells a new program from the old; unset when not shown. */
  startStack?: number;
}

/**
 * The fields parseStat uses, as one sticky regex from just after ") ": field 0 (state)
 * through 21 (rss), and 25 (startstack) when the line runs that far, split on single spaces
 * exactly like split(" "); a test holds it to split()'s answers.
 */
const FIELDS = /([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) [^ ]* ([^ ]*)(?: [^ ]*){4} ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*)(?: [^ ]*){4} ([^ ]*) [^ ]* ([^ ]*)(?: [^ ]* [^ ]* [^ ]* ([^ ]*))?/y;

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
    cutimeTicks: Number(f[9]),
    cstimeTicks: Number(f[10]),
    startTicks: Number(f[11]),
    rssPages: Number(f[12]),
  };
  if (f[13] !== undefined) stat.startStack = Number(f[13]);
  const finite = Number.isFinite;
  return finite(stat.ppid) && finite(stat.pgrp) && finite(stat.session) && finite(stat.startTicks) ? stat : null;
}

/** Reads one process's stat, or null: readNow.stat (proc/facts.ts) unless a caller prefetched. */
export type StatReader = (pid: number) => ProcStat | null;

/** Zombies and dead tasks cannot be signalled away: treat them as gone. kill(pid, 0) would say alive. */
export function isGone(stat: ProcStat | null): boolean {
  return stat === null || stat.state === "Z" || stat.state === "X" || stat.state === "x";
}

/** On its way to being a zombie: its memory, and with it its command line and environment, may already be gone. */
export function isExiting(stat: Pick<ProcStat, "flags">): boolean {
  return (stat.flags & PF_EXITING) !== 0;
}

/** By the PF_KTHREAD flag only: inside a PID namespace pid 2 and its children are ordinary processes. */
export function isKernelThread(stat: Pick<ProcStat, "flags">): boolean {
  return (stat.flags & PF_KTHREAD) !== 0;
}
