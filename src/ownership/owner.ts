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
 */
export function ownerState(cookie: Pick<SessionCookie, "ownerPid">, named: Pick<ProcStat, "startTicks">, facts: OwnerFacts): OwnerState {
  if (cookie.ownerPid === null || facts.sameNamespace !== true) return "unknown";
  if (facts.unreadable.has(cookie.ownerPid)) return "unknown";
  const owner = facts.at(cookie.ownerPid);
  if (owner === undefined) return "gone";
  if (owner.startTicks > named.startTicks) return "gone";
  if (owner.state === "Z" || owner.state === "X") return "gone";
  return "alive";
}

/** An agent process as its session's SessionStart hook recorded it. */
export interface RecordedOwner {
  agent: string;
  pid: number;
  startTicks: number;
  /** The recording hook was in the reaper's pid namespace; null: unknown. */
  sameNamespace: boolean | null;
}

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
