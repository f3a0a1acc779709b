// The process table as ownership sees it: one snapshot of /proc, with the environments and
// command lines read where a rule needs them (null: unknown).

import type { ThreadLockState } from "./codex-lock.ts";
import type { RecordedSessions } from "./owner.ts";
import { environVar } from "./cookie.ts";
import { COOKIE } from "../proc/scan.ts";
import type { ProcStat } from "../proc/stat.ts";

/** One process as the reaper sees it. `argv` and `environ` are read only for candidates; null is "unknown". */
export interface ProcInfo extends ProcStat {
  kernel: boolean;
  uid: number | null;
  argv: string[] | null;
  environ: string | null;
  /** A same-user orphan or one of its descendants: where a dead session's leftovers live. */
  inSessionScope?: boolean;
  /** In the reaper's pid namespace; null when unreadable; undefined when not read (a process without a cookie: the plan asks of a target). */
  sameNamespace?: boolean | null;
}

/** What the reaper knows of the processes around one it judges. */
export interface ProcessTable {
  byPid: ReadonlyMap<number, ProcInfo>;
  /** Listed pids whose stat could not be read. */
  unreadable: ReadonlySet<number>;
  /** Every agent its session's SessionStart hooks recorded, by sessionKey, newest first. */
  sessions?: RecordedSessions;
  /** Codex's thread lock, as seen from a process of that thread (a second proof, never the only one). */
  threadLock?: (environ: string | null, thread: string) => ThreadLockState;
}

/** Orphaned: reparented to pid 1 or to a `systemd --user` subreaper. */
export function isOrphaned(proc: Pick<ProcInfo, "ppid">, subreapers: ReadonlySet<number>): boolean {
  return proc.ppid === 1 || subreapers.has(proc.ppid);
}

/** The supervise entry whose cookie (SUPERVISE_ID) the process carries. */
export function cookieOf(proc: Pick<ProcInfo, "environ">): string | null {
  return environVar(proc.environ, COOKIE) ?? null;
}

export function commandLine(proc: Pick<ProcInfo, "argv">): string | null {
  return proc.argv === null ? null : proc.argv.join(" ");
}

/** Whether `pid` is one of the process's ancestors (older than it, so not a reused pid). */
export function descendsFrom(proc: ProcInfo, pid: number | null, table: Pick<ProcessTable, "byPid">): boolean {
  if (pid === null) return false;
  const seen = new Set<number>();
  for (let p = table.byPid.get(proc.ppid); p && !seen.has(p.pid); p = table.byPid.get(p.ppid)) {
    seen.add(p.pid);
    if (p.pid === pid) return p.startTicks <= proc.startTicks;
    if (p.pid <= 1) return false;
  }
  return false;
}
