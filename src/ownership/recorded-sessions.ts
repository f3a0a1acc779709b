// The sessions the ledger recorded (their SessionStart hooks did), as owners the reaper and
// `ps` can judge: an owner recorded in another pid namespace is never provably gone here.

import type { Database } from "bun:sqlite";
import { sessionKey, sessionsOfBoot, type SessionRow } from "../ledger/sessions.ts";
import { readProcText } from "../proc/read.ts";
import { parseStat } from "../proc/stat.ts";
import { machineLockFacts, threadLockOf, type ThreadLockState } from "./codex-lock.ts";
import { recordedOwnerState, type OwnerFacts, type RecordedOwner, type RecordedSessions } from "./owner.ts";
import { readNow } from "../proc/facts.ts";

/** Every owner of each session of this boot, by sessionKey(agent, session), newest first. */
export function recordedOwners(db: Database, boot: string): Map<string, RecordedOwner[]> {
  const own = readNow.pidNamespace("self");
  const owners = new Map<string, RecordedOwner[]>();
  for (const [key, rows] of sessionsOfBoot(db, boot)) owners.set(key, rows.map((row) => asRecordedOwner(row, own)));
  return owners;
}

function asRecordedOwner(row: SessionRow, own: string | null): RecordedOwner {
  const sameNamespace = own === null || row.pid_namespace === null ? null : own === row.pid_namespace;
  return { agent: row.agent, pid: row.owner_pid, startTicks: row.owner_start_ticks, sameNamespace };
}

/** A session's recorded owners by its id alone (a supervise entry knows its session, not its agent). */
export function recordedOwnersOf(sessions: RecordedSessions | undefined, session: string): RecordedOwner[] {
  const owners: RecordedOwner[] = [];
  for (const [key, list] of sessions ?? []) if (list[0] && key === sessionKey(list[0].agent, session)) owners.push(...list);
  return owners;
}

/** What proves a session's agent alive or gone beyond a process's own cookie: the recorded owners, and Codex's thread locks. */
export function sessionEvidence(db: Database | null, boot: string): {
  sessions: Map<string, RecordedOwner[]> | undefined;
  threadLock: (environ: string | null, thread: string) => ThreadLockState;
} {
  return { sessions: db ? recordedOwners(db, boot) : undefined, threadLock: threadLockOf(machineLockFacts()) };
}

/**
 * Whether a recorded owner is gone now, by the sweep's proof (recordedOwnerState) on a fresh
 * read of its pid: for dropping the owners a session no longer has when it records a new one.
 */
export function provenGoneNow(row: SessionRow, own: string | null = readNow.pidNamespace("self")): boolean {
  return recordedOwnerState(asRecordedOwner(row, own), statFacts(row.owner_pid)) === "gone";
}

/**
 * One pid's facts from /proc: no such pid is "none there"; any other failed read is unknown.
 * Read here, not through readNow.stat: its null cannot tell the two apart, and only the first proves gone.
 */
export function statFacts(pid: number, read: (path: string) => string = readProcText): Pick<OwnerFacts, "at" | "unreadable"> {
  try {
    const stat = parseStat(read(`/proc/${pid}/stat`));
    return stat ? { at: (p) => (p === pid ? stat : undefined), unreadable: new Set() } : { at: () => undefined, unreadable: new Set([pid]) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ESRCH: it exited between the open and the read.
    const none = code === "ENOENT" || code === "ESRCH";
    return { at: () => undefined, unreadable: none ? new Set() : new Set([pid]) };
  }
}

