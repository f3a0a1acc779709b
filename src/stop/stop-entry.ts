// Stopping a ledger entry on request (`supervise kill`, the SessionEnd follow-up): mark
// why in the ledger first, so a live wrapper records that reason when its command dies;
// then the wrapper's own escalation (first signal, grace, SIGKILL) with identity checks.

import type { Database } from "bun:sqlite";
import { keepsOrphans, recordEnd, recordLost, requestStop, type EndReason, type EntryRow } from "../ledger/entries.ts";
import { entryRef, wrapperIdentity } from "../ledger/view.ts";
import { currentIfSame, type ProcessIdentity } from "../proc/identity.ts";
import { signalProcess } from "../proc/signal.ts";
import { signalName, signalNumber, SIGNALS } from "../proc/signals.ts";
import { terminateEntry, type TerminateOutcome } from "../proc/terminate.ts";
import { waitWhile } from "../time/poll.ts";

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
}

export async function stopEntry(db: Database, row: EntryRow, options: StopOptions): Promise<StopResult> {
  const started = Date.now();
  const done = (outcome: StopOutcome, signal: string | null): StopResult => ({ id: row.id, outcome, signal, durationMs: Date.now() - started });
  const signal = options.signal ?? firstSignalOf(row);
  const graceMs = options.graceMs ?? row.grace_ms ?? Number.POSITIVE_INFINITY;
  if (row.ended_at !== null && keepsOrphans(row) && options.reason === "manual") {
    // What a --keep-orphaned entry left running after its end: only this may end it. The
    // entry's recorded end stays as it was.
    let escalated = false;
    const outcome = await terminateEntry(entryRef(row), { signal, graceMs, onEscalate: () => (escalated = true) });
    return done(outcome, outcome === "gone" ? null : signalName(escalated ? SIGNALS.SIGKILL : signal));
  }
  if (row.ended_at !== null || !requestStop(db, row.id, options.reason)) return done("already-ended", null);

  // Recorded but not yet launched: the wrapper takes a terminating signal before the launch
  // as "do not launch", and records that itself. (A dead wrapper's command, if any, is found
  // below by its cookie.)
  const wrapper = wrapperIdentity(row);
  if (row.pid === null && wrapper && currentIfSame(wrapper)) {
    const outcome = await stopBeforeLaunch(wrapper, signal, graceMs);
    return done(outcome, outcome === "gone" ? null : signalName(signal));
  }

  let escalated = false;
  const outcome = await terminateEntry(entryRef(row), { signal, graceMs, onEscalate: () => (escalated = true) });
  const sent = outcome === "gone" ? null : signalName(escalated ? SIGNALS.SIGKILL : signal);
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
  return done(outcome, sent);
}

/** The signal the entry was started with (`run --signal`), which any stop sends first. */
export function firstSignalOf(row: Pick<EntryRow, "first_signal">): number {
  return signalNumber(row.first_signal) || SIGNALS.SIGTERM;
}

async function stopBeforeLaunch(wrapper: ProcessIdentity, signal: number, graceMs: number): Promise<TerminateOutcome> {
  if (signalProcess(wrapper, signal) !== "sent") return "gone";
  await waitWhile(() => currentIfSame(wrapper) !== null, Date.now() + Math.min(graceMs, 10_000));
  return currentIfSame(wrapper) === null ? "terminated" : "failed";
}
