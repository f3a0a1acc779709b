// Whether the agent that owns a process's session is alive: from the owner pid its cookie
// carries, else from the agent its SessionStart hook recorded, with Codex's thread lock as
// a veto on "gone".

import { sessionKey } from "../ledger/sessions.ts";
import { sessionCookieOf, type SessionCookie } from "./cookie.ts";
import { ownerState, recordedOwnerState, type OwnerFacts, type OwnerState } from "./owner.ts";
import type { ProcessTable, ProcInfo } from "./process-table.ts";

export interface SessionOwnership {
  cookie: SessionCookie;
  owner: OwnerState;
  /** The agent process judged: the cookie's owner pid, else the recorded one; null when neither. */
  ownerPid: number | null;
}

export function sessionOwner(proc: ProcInfo, table: ProcessTable): SessionOwnership | null {
  const cookie = sessionCookieOf(proc.environ);
  if (!cookie) return null;
  const facts = ownerFacts(table);
  const recorded = cookie.ownerPid === null ? table.sessions?.get(sessionKey(cookie.agent, cookie.session)) : undefined;
  const owner = recorded ? recordedOwnerState(recorded, facts) : ownerState(cookie, proc, { ...facts, sameNamespace: proc.sameNamespace ?? null });
  const state = owner === "gone" && cookie.agent === "codex" ? vetoedByThreadLock(proc, cookie.session, table) : owner;
  return { cookie, owner: state, ownerPid: recorded?.pid ?? cookie.ownerPid };
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
