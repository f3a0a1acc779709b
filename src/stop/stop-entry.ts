// Stopping a ledger entry on request (`supervise kill`, the SessionEnd follow-up): mark
// why in the ledger first, so a live wrapper records that reason when its command dies;
// then the wrapper's own escalation (first signal, grace, SIGKILL) with identity checks.

import type { Database } from "bun:sqlite";
import { keepsOrphans, recordEnd, recordLost, requestStop, type EndReason, type EntryRow } from "../ledger/entries.ts";
import { entryRef, wrapperIdentity } from "../entry/liveness.ts";
import { currentIfSame } from "../proc/identity.ts";
import { signalName, signalNumber, SIGNALS } from "../proc/signals.ts";
import { stopAll, type StopReport, type StopTarget, type TerminateOutcome } from "./engine.ts";
import { entryPolicy } from "./entry-policy.ts";
import { DEFAULT_CONFIG } from "../config/defaults.ts";
import type { KeepSettings } from "../policy/keep.ts";

export type StopOutcome = TerminateOutcome | "already-ended";

export interface StopResult {
  id: string;
  outcome: StopOutcome;
  /** The last signal sent to the command, if any. */
  signal: string | null;
  durationMs: number;
}

export interface StopOptions {
  reason: EndReason;
  /** Defaults to the entry's own first signal and grace period. */
  signal?: number;
  graceMs?: number;
  /** The first signal was already sent (SessionEnd's fast path): "nothing left" then means it worked. */
  signalledBefore?: boolean;
  /** What SessionEnd leaves (reap.protect, reap.sessionKeep); the built-in lists when not given. `kill` reads none. */
  keep?: KeepSettings;
}

/**
 * What a stop needs once the ledger is marked. command: the entry's command, whose end is
 * recorded here. leftovers: what an ended --keep-orphaned entry left; its record stays.
 * before-launch: a wrapper that has not launched yet takes a terminating signal as "do not
 * launch" and records that itself, so it is never sent SIGKILL.
 */
interface Planned {
  row: EntryRow;
  kind: "command" | "leftovers" | "before-launch";
  target: StopTarget;
  signal: number;
  graceMs: number;
}

/**
 * Stops entries together: each is marked first (so a live wrapper records the reason), then
 * every escalation runs in one batch (one /proc scan per poll, each its own grace), then each
 * outcome is recorded.
 */
export async function stopEntries(db: Database, rows: readonly EntryRow[], options: StopOptions): Promise<StopResult[]> {
  const started = Date.now();
  const done = (row: EntryRow, outcome: StopOutcome, signal: string | null): StopResult => ({ id: row.id, outcome, signal, durationMs: Date.now() - started });
  const results: Array<StopResult | Planned> = rows.map((row) => prepare(db, row, options, done));
  const planned = results.filter((r): r is Planned => "kind" in r);
  const reports = await stopAll(planned.map((p) => ({ target: p.target, signal: p.signal, graceMs: p.graceMs })));
  const recorded = new Map(planned.map((p, i) => [p, record(db, p, reports[i]!, options, done)]));
  return results.map((r) => ("kind" in r ? recorded.get(r)! : r));
}

function prepare(
  db: Database,
  row: EntryRow,
  options: StopOptions,
  done: (row: EntryRow, outcome: StopOutcome, signal: string | null) => StopResult,
): StopResult | Planned {
  const signal = options.signal ?? firstSignalOf(row);
  const graceMs = options.graceMs ?? row.grace_ms ?? Number.POSITIVE_INFINITY;
  // What a --keep-orphaned entry left running after its end: only this may end it.
  const path = options.reason === "manual" ? "kill" : "session-end";
  const keep = options.keep ?? { protect: DEFAULT_CONFIG.reap.protect, sessionKeep: DEFAULT_CONFIG.reap.sessionKeep };
  const command: StopTarget = { entry: entryRef(row), policy: entryPolicy(path, { keepOrphaned: keepsOrphans(row), sessionBound: row.session_bound === 1 }, keep) };
  if (row.ended_at !== null && keepsOrphans(row) && options.reason === "manual") return { row, kind: "leftovers", target: command, signal, graceMs };
  if (row.ended_at !== null || !requestStop(db, row.id, options.reason)) return done(row, "already-ended", null);
  // Recorded but not yet launched. (A dead wrapper's command, if any, is found by its cookie.)
  const wrapper = wrapperIdentity(row);
  if (row.pid === null && wrapper && currentIfSame(wrapper)) {
    return { row, kind: "before-launch", target: { process: wrapper }, signal, graceMs: Number.POSITIVE_INFINITY };
  }
  return { row, kind: "command", target: command, signal, graceMs };
}

function record(
  db: Database,
  p: Planned,
  report: StopReport,
  options: StopOptions,
  done: (row: EntryRow, outcome: StopOutcome, signal: string | null) => StopResult,
): StopResult {
  const { row, signal } = p;
  const { outcome, signal: sent } = report;
  if (p.kind !== "command") return done(row, outcome, sent);
  const wrapper = wrapperIdentity(row);
  // The wrapper's exit status is the wrapper's to record; a dead one's is derived when read.
  const end = { ended_at: Date.now(), exit_code: null, end_signal: sent, exit_status: null };
  if (outcome === "terminated" || outcome === "killed") {
    // The wrapper, if alive, records the same end; whichever writes first stands. A dead or
    // stopped wrapper never will, so this must not wait for it.
    recordEnd(db, row.id, { ...end, state: "killed", reason: options.reason });
  } else if (outcome === "gone" && options.signalledBefore) {
    // Ended by the first signal sent before this call; a live wrapper records it (with the
    // stop reason), a dead one cannot.
    if (!wrapper || !currentIfSame(wrapper)) recordEnd(db, row.id, { ...end, end_signal: signalName(signal), state: "killed", reason: options.reason });
  } else if (outcome === "gone") {
    // Nothing was left to stop: a live wrapper records its command's own exit (not our
    // stop, which sent nothing); without one the entry was lost.
    requestStop(db, row.id, null);
    if (!wrapper || !currentIfSame(wrapper)) recordLost(db, row.id, end.ended_at);
  }
  return done(row, outcome, sent);
}

/** The signal the entry was started with (`run --signal`), which any stop sends first. */
export function firstSignalOf(row: Pick<EntryRow, "first_signal">): number {
  return signalNumber(row.first_signal) || SIGNALS.SIGTERM;
}
