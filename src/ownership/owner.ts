// Whether a session's owner (the agent process) is alive, gone, or unknown, from one
// snapshot of the process table. "Gone" only with proof; anything unproven is unknown.

import type { ProcStat } from "../proc/stat.ts";
import type { SessionCookie } from "./cookie.ts";

export type OwnerState = "alive" | "gone" | "unknown";

export interface OwnerFacts {
  /** The process at a pid in the snapshot; undefined when the listing had no such pid. */
  at(pid: number): Pick<ProcStat, "startTicks" | "state"> | undefined;
  /** Pids the listing had whose stat could not be read: nothing is known of them. */
  unreadable: ReadonlySet<number>;
  /** Whether the process naming the owner is in the reaper's pid namespace; null: unreadable. */
  sameNamespace: boolean | null;
}

/**
 * Gone: no process has the owner pid, or the one that has it started after the process that
 * names it (the pid was reused), or it is a zombie. Only when pids mean the same thing to the
 * reaper and the process (the same pid namespace); never for a missing or junk owner pid.
 * `recorded`: the owners the session's SessionStart hooks recorded. When one of them is
 * exactly the process at the owner pid, that is the agent itself, not a reused pid, even if
 * it started after the process naming it (a process that re-executed with its cookie).
 */
export function ownerState(
  cookie: Pick<SessionCookie, "ownerPid">,
  named: Pick<ProcStat, "startTicks">,
  facts: OwnerFacts,
  recorded: readonly RecordedOwner[] = [],
): OwnerState {
  if (cookie.ownerPid === null || facts.sameNamespace !== true) return "unknown";
  if (facts.unreadable.has(cookie.ownerPid)) return "unknown";
  const owner = facts.at(cookie.ownerPid);
  if (owner === undefined) return "gone";
  if (owner.state === "Z" || owner.state === "X") return "gone";
  if (recorded.some((r) => r.sameNamespace === true && r.pid === cookie.ownerPid && r.startTicks === owner.startTicks)) return "alive";
  return owner.startTicks > named.startTicks ? "gone" : "alive";
}

/** An agent process as its session's SessionStart hook recorded it. */
export interface RecordedOwner {
  agent: string;
  pid: number;
  startTicks: number;
  /** The recording hook was in the reaper's pid namespace; null: unknown. */
  sameNamespace: boolean | null;
}

/** By sessionKey(agent, session): every owner the session's SessionStart hooks recorded, newest first. */
export type RecordedSessions = ReadonlyMap<string, readonly RecordedOwner[]>;

/**
 * Gone, for an owner whose identity was recorded: no process has its pid, or the one that has
 * it is another (its start time differs: the pid was reused), or it is a zombie. Only when the
 * recording was made in the reaper's pid namespace.
 */
export function recordedOwnerState(owner: RecordedOwner, facts: Pick<OwnerFacts, "at" | "unreadable">): OwnerState {
  if (owner.sameNamespace !== true || facts.unreadable.has(owner.pid)) return "unknown";
  const now = facts.at(owner.pid);
  if (now === undefined || now.startTicks !== owner.startTicks) return "gone";
  return now.state === "Z" || now.state === "X" ? "gone" : "alive";
}

/** One owner of a session, as judged; pid null: a cookie that names none. */
export interface JudgedOwner {
  pid: number | null;
  state: OwnerState;
}

/**
 * A session's owners together (a resumed session has several): alive while any is, gone only
 * when every one is proven gone, else unknown. No owner at all proves nothing.
 */
export function sessionState(owners: readonly Pick<JudgedOwner, "state">[]): OwnerState {
  if (owners.some((o) => o.state === "alive")) return "alive";
  return owners.length > 0 && owners.every((o) => o.state === "gone") ? "gone" : "unknown";
}
