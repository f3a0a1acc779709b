// How an entry's end is recorded: one decision, from what the row already says and what the
// writer knows. The wrapper knows how its command ended; a stopper (`supervise kill`,
// SessionEnd's follow-up) and a sweep know only what they reached, so they record an end
// only when something of the entry was reached, and withdraw the stop they asked for when
// nothing was. Pure: src/ledger/entries.ts recordEnd applies it inside its transaction.

import type { EndReason, EntryState } from "../ledger/entries.ts";
import type { TerminateOutcome } from "../stop/engine.ts";

/** What the row holds when a writer comes. Read as stored: any text may be there. */
export interface EndRow {
  ended_at: number | null;
  stop_reason: string | null;
  exit_status: number | null;
  /**
   * Whether whoever asked for that stop (stop_owner) is alive: false once it is gone (a `kill`
   * SIGKILLed during its grace); null or absent when no asker was recorded or it is unreadable.
   */
  stopOwnerAlive?: boolean | null;
}

/** The wrapper, once its command has exited. */
export interface WrapperEnd {
  by: "wrapper";
  at: number;
  /**
   * What the wrapper was doing as the command ended: its deadline, a signal to it, its
   * parent's death; `leftovers`: the command exited by itself and the wrapper then ended what
   * it left. Null: nothing, the command exited by itself.
   */
  stop: "deadline" | "stalled" | "signal" | "parent-died" | "leftovers" | null;
  /** How that stop went ("gone" when there was none). */
  outcome: TerminateOutcome;
  exitCode: number | null;
  /** The signal the command died of ("TERM"); null when it exited. */
  endSignal: string | null;
  /** What the wrapper exits with: recorded as is, also when another writer recorded the end first. */
  exitStatus: number;
  /** What of the command still ran once it ended (JSON, src/tell/left-running.ts); absent when nothing did. */
  leftRunning?: string;
}

/** `supervise kill` or SessionEnd's follow-up, after its stop of the entry's command. */
export interface StopperEnd {
  by: "stopper";
  at: number;
  reason: EndReason;
  outcome: TerminateOutcome;
  /** The last signal that reached it, by name. */
  sent: string | null;
  /** The first signal, when it was sent before this stop (SessionEnd's hook), by name. */
  signalledBefore: string | null;
  /** The entry was recorded in this pid namespace: its pids mean something here. */
  sameNamespace: boolean;
  /** The entry's wrapper is alive: it records its command's end itself. */
  wrapperAlive: boolean;
  /** The command's first process (the recorded leader) is alive after the stop. */
  commandAlive: boolean;
  /** Processes of the entry alive after the stop, those it was not allowed to end included. */
  survivors: number;
}

/** A sweep, after ending what it planned for the entry. */
export interface SweepEnd {
  by: "sweep";
  at: number;
  verdict: "lost" | "owner-dead" | "overdue";
  /** What became of each of its targets (zombies left out); empty when none was planned. */
  targets: readonly { outcome: TerminateOutcome; signal: string | null }[];
  /** The command's first process (the recorded leader) is alive after the sweep: one it may not end. */
  commandAlive: boolean;
}

/** gc: the wrapper and every process of the entry are gone, and no end was recorded. */
export interface FoundLost {
  by: "gc";
  at: number;
}

/** What a writer knows of an entry's end. */
export type EndFacts = WrapperEnd | StopperEnd | SweepEnd | FoundLost;

/** The end as the row records it. */
export interface RecordedEnd {
  state: Extract<EntryState, "exited" | "killed" | "lost">;
  ended_at: number;
  exit_code: number | null;
  end_signal: string | null;
  reason: EndReason | null;
  exit_status: number | null;
}

export interface EndDecision {
  /** The end to record; null: nothing is (one is already, or nothing was reached). */
  record: RecordedEnd | null;
  /** Set stop_reason back to null: this writer's stop reached nothing. */
  withdrawStop: boolean;
  /** The wrapper's exit status, for a row that already ended without one; else null. */
  exitStatus: number | null;
}

/** The reasons a stopper or a sweep asks for before signalling: the wrapper then records them. */
const STOP_REASONS: ReadonlySet<string> = new Set<EndReason>(["manual", "session-end", "owner-dead", "overdue"]);

const NOTHING: EndDecision = { record: null, withdrawStop: false, exitStatus: null };
const WITHDRAW: EndDecision = { record: null, withdrawStop: true, exitStatus: null };

/*
 * Who writes       what it knows                          -> recorded (state, reason)
 * wrapper          its deadline                           -> killed, deadline
 *                  a signal to it, its parent's death     -> killed, the stop asked for, else signal / parent-died
 *                  exited by itself                       -> killed, the stop asked for, else exited, null
 *                  ...and it ended what was left          -> the same, but exited, leftovers when none was asked
 *                  the stop's asker is gone, and the
 *                  command exited with a status           -> as if no stop was asked (it reached nothing)
 * stopper          recorded in another pid namespace      -> nothing (its stop withdrawn)
 *                  the stop failed                        -> nothing (its stop withdrawn)
 *                  its command runs on (kept from it)     -> nothing (its stop withdrawn)
 *                  reached it, the command is gone        -> killed, its reason (what it may not end is kept)
 *                  an earlier first signal, command gone  -> killed, its reason (a live wrapper records it)
 *                  nothing reached, something alive       -> nothing (its stop withdrawn)
 *                  nothing reached, wrapper and all gone  -> lost (its stop withdrawn)
 * sweep            lost                                   -> lost
 *                  some target reached, none survived     -> killed, owner-dead / overdue
 *                  a target survived                      -> nothing (the next sweep tries again)
 *                  its command runs on (protected, kept)  -> nothing (its stop withdrawn)
 *                  nothing reached (all kept, all gone)   -> nothing (its stop withdrawn, if it asked one)
 * gc               wrapper and processes gone             -> lost
 * Whoever writes: a row that already ended keeps its end (first writer wins).
 */
export function decideEnd(row: EndRow, facts: EndFacts): EndDecision {
  if (row.ended_at !== null) {
    return facts.by === "wrapper" && row.exit_status === null ? { ...NOTHING, exitStatus: facts.exitStatus } : NOTHING;
  }
  switch (facts.by) {
    case "wrapper":
      return { record: wrapperRecord(row, facts), withdrawStop: false, exitStatus: null };
    case "stopper":
      return stopperDecision(facts);
    case "sweep":
      return sweepDecision(facts);
    case "gc":
      return { record: lost(facts.at), withdrawStop: false, exitStatus: null };
  }
}

function wrapperRecord(row: EndRow, facts: WrapperEnd): RecordedEnd {
  const asked = askedStop(row, facts);
  const end = (state: RecordedEnd["state"], reason: EndReason | null): RecordedEnd => ({
    state,
    ended_at: facts.at,
    exit_code: facts.exitCode,
    end_signal: facts.endSignal,
    reason,
    exit_status: facts.exitStatus,
  });
  // Its own limit came first: whoever else asked, the deadline ended it.
  if (facts.stop === "deadline" || facts.stop === "stalled") return end("killed", facts.stop);
  // Its death by someone's signal, or the end of the shell above the wrapper, looks to the
  // wrapper like any exit or signal: the stop asked for says who ended it.
  if (asked !== null) return end("killed", asked);
  if (facts.stop === "signal" || facts.stop === "parent-died") return end("killed", facts.stop);
  return end("exited", facts.stop === "leftovers" && reached(facts.outcome) ? "leftovers" : null);
}

function stopperDecision(facts: StopperEnd): EndDecision {
  // Another namespace's pids name other processes here: nothing of it is known, or was reached.
  if (facts.outcome === "failed" || !facts.sameNamespace) return WITHDRAW;
  // The command runs on (kept from this stop): its own end, later, is its wrapper's to record.
  if (facts.commandAlive) return WITHDRAW;
  const killed = (signal: string | null): EndDecision => ({
    record: { state: "killed", ended_at: facts.at, exit_code: null, end_signal: signal, reason: facts.reason, exit_status: null },
    withdrawStop: false,
    exitStatus: null,
  });
  if (reached(facts.outcome)) return killed(facts.sent);
  // A first signal sent before (SessionEnd's hook), and the command is gone: that signal ended
  // it. A live wrapper sees it die and records it, with the reason asked for.
  if (facts.signalledBefore !== null) return facts.wrapperAlive ? NOTHING : killed(facts.signalledBefore);
  // Nothing reached: a live wrapper records its command's own end; with nothing of it alive either, it was lost.
  if (facts.wrapperAlive || facts.survivors > 0) return WITHDRAW;
  return { record: lost(facts.at), withdrawStop: true, exitStatus: null };
}

function sweepDecision(facts: SweepEnd): EndDecision {
  if (facts.verdict === "lost") return { record: lost(facts.at), withdrawStop: false, exitStatus: null };
  const { targets } = facts;
  // Nothing planned: nothing was asked (markStops marks only what the plan signals).
  if (targets.length === 0) return NOTHING;
  const sentAny = targets.some((t) => t.signal !== null);
  // A survivor keeps the entry running: the next sweep tries again.
  if (targets.some((t) => t.outcome === "failed")) return sentAny ? NOTHING : WITHDRAW;
  // Its command runs on (protected, kept): the entry has not ended, whatever else of it was.
  if (!targets.some((t) => reached(t.outcome)) || facts.commandAlive) return WITHDRAW;
  const signal = targets.some((t) => t.signal === "KILL") ? "KILL" : targets.find((t) => t.signal !== null)?.signal ?? null;
  return { record: { state: "killed", ended_at: facts.at, exit_code: null, end_signal: signal, reason: facts.verdict, exit_status: null }, withdrawStop: false, exitStatus: null };
}

/**
 * The stop a stopper or a sweep asked for (stop_reason); anything else stored there is no
 * request. Nor is one whose asker is gone when the command exited with a status: a `kill`
 * SIGKILLed during its grace left its request behind, and the command then ended by itself
 * (a command that died of a signal was reached: the request stands).
 */
function askedStop(row: EndRow, facts: WrapperEnd): EndReason | null {
  if (row.stop_reason === null || !STOP_REASONS.has(row.stop_reason)) return null;
  if (row.stopOwnerAlive === false && facts.endSignal === null) return null;
  return row.stop_reason as EndReason;
}

function reached(outcome: TerminateOutcome): boolean {
  return outcome === "terminated" || outcome === "killed";
}

function lost(at: number): RecordedEnd {
  return { state: "lost", ended_at: at, exit_code: null, end_signal: null, reason: null, exit_status: null };
}
