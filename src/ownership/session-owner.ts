// Whether the agent that owns a process's session is alive: from the owner pid its cookie
// carries, else from every agent its SessionStart hooks recorded, with Codex's thread lock
// as a veto on "gone".

import { sessionKey } from "../ledger/sessions.ts";
import { sessionCookieOf, type SessionCookie } from "./cookie.ts";
import { ownerState, recordedOwnerState, sessionState, type JudgedOwner, type OwnerFacts, type OwnerState, type RecordedOwner } from "./owner.ts";
import type { ProcessTable, ProcInfo } from "./process-table.ts";
import { recordedOwnersOf } from "./recorded-sessions.ts";

export interface SessionOwnership {
  cookie: SessionCookie;
  owner: OwnerState;
  /** The agent process judged: the cookie's owner pid, else the recorded owner that decided (newest first); null when neither. */
  ownerPid: number | null;
  /** Each owner judged: the cookie's one, else every recorded one (none recorded: one unknown, of no pid). */
  owners: readonly JudgedOwner[];
}

export function sessionOwner(proc: ProcInfo, table: ProcessTable): SessionOwnership | null {
  const cookie = sessionCookieOf(proc.environ);
  if (!cookie) return null;
  const facts = ownerFacts(table);
  const recorded = table.sessions?.get(sessionKey(cookie.agent, cookie.session)) ?? [];
  const judged =
    cookie.ownerPid === null && recorded.length > 0
      ? judgeRecorded(recorded, facts)
      : judgeNamed(cookie, proc, { ...facts, sameNamespace: proc.sameNamespace ?? null }, recorded);
  const owner = judged.owner === "gone" && cookie.agent === "codex" ? vetoedByThreadLock(proc, cookie.session, table) : judged.owner;
  return { cookie, ...judged, owner };
}

/** The owners a supervise entry's session recorded (by its id alone), judged; null when none was recorded. */
export function recordedSessionOwner(session: string, table: ProcessTable): { agent: string; owner: OwnerState; ownerPid: number } | null {
  const recorded = recordedOwnersOf(table.sessions, session);
  if (recorded.length === 0) return null;
  const judged = judgeRecorded(recorded, ownerFacts(table));
  const decider = recorded.find((o) => o.pid === judged.ownerPid) ?? recorded[0]!;
  return { agent: decider.agent, owner: judged.owner, ownerPid: decider.pid };
}

/**
 * Whether an owner other than `agent` (the one whose session is ending) may still live: an
 * owner not proven gone that is not it, or only a thread lock keeping the session alive (its
 * holder is no recorded owner, so not provably the ending one).
 */
export function ownedByAnother(owned: Pick<SessionOwnership, "owner" | "owners">, agent: number | null): boolean {
  if (owned.owner === "gone") return false;
  const notGone = owned.owners.filter((o) => o.state !== "gone");
  return notGone.length === 0 || notGone.some((o) => o.pid !== agent);
}

/** Every recorded owner: the session is gone only when each one is. */
function judgeRecorded(recorded: readonly RecordedOwner[], facts: Pick<OwnerFacts, "at" | "unreadable">): Omit<SessionOwnership, "cookie"> {
  const owners = recorded.map((o) => ({ pid: o.pid, state: recordedOwnerState(o, facts) }));
  const owner = sessionState(owners);
  return { owner, ownerPid: (owners.find((o) => o.state === owner) ?? owners[0]!).pid, owners };
}

/** The owner the cookie names (none: unknown); a recorded owner that is exactly that process proves it alive. */
function judgeNamed(cookie: SessionCookie, proc: ProcInfo, facts: OwnerFacts, recorded: readonly RecordedOwner[]): Omit<SessionOwnership, "cookie"> {
  const owner = ownerState(cookie, proc, facts, recorded);
  return { owner, ownerPid: cookie.ownerPid, owners: [{ pid: cookie.ownerPid, state: owner }] };
}

/** What the owner checks need of the table: the process at a pid, and the pids nothing is known of. */
export function ownerFacts(table: ProcessTable): Pick<OwnerFacts, "at" | "unreadable"> {
  return { at: (pid: number) => table.byPid.get(pid), unreadable: table.unreadable };
}

/** A recorded Codex owner is gone, but a codex still holding the thread's lock says the thread lives. */
function vetoedByThreadLock(proc: ProcInfo, thread: string, table: ProcessTable): OwnerState {
  const lock = table.threadLock?.(proc.environ, thread) ?? "none";
  return lock === "held" ? "alive" : lock === "unknown" ? "unknown" : "gone";
}
