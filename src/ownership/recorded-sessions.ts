// The sessions the ledger recorded (their SessionStart hooks did), as owners the reaper and
// `ps` can judge: an owner recorded in another pid namespace is never provably gone here.

import type { Database } from "bun:sqlite";
import { sessionKey, sessionsOfBoot } from "../ledger/sessions.ts";
import { readPidNamespace } from "../proc/facts.ts";
import { machineLockFacts, threadLockOf, type ThreadLockState } from "./codex-lock.ts";
import type { RecordedOwner } from "./owner.ts";

/** By sessionKey(agent, session), for this boot. */
export function recordedOwners(db: Database, boot: string): Map<string, RecordedOwner> {
  const own = readPidNamespace("self");
  const owners = new Map<string, RecordedOwner>();
  for (const [key, row] of sessionsOfBoot(db, boot)) {
    const sameNamespace = own === null || row.pid_namespace === null ? null : own === row.pid_namespace;
    owners.set(key, { agent: row.agent, pid: row.owner_pid, startTicks: row.owner_start_ticks, sameNamespace });
  }
  return owners;
}

/** A session's recorded owner by its id alone (a supervise entry knows its session, not its agent). */
export function recordedOwnerOf(owners: ReadonlyMap<string, RecordedOwner> | undefined, session: string): RecordedOwner | undefined {
  if (!owners) return undefined;
  for (const [key, owner] of owners) if (key === sessionKey(owner.agent, session)) return owner;
  return undefined;
}

/** What proves a session's agent alive or gone beyond a process's own cookie: the recorded owners, and Codex's thread locks. */
export function sessionEvidence(db: Database | null, boot: string): {
  sessions: Map<string, RecordedOwner> | undefined;
  threadLock: (environ: string | null, thread: string) => ThreadLockState;
} {
  return { sessions: db ? recordedOwners(db, boot) : undefined, threadLock: threadLockOf(machineLockFacts()) };
}
