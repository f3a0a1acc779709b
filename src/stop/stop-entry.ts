// Stopping a ledger entry on request (`supervise kill`, the SessionEnd follow-up): mark
// why in the ledger first, so a live wrapper records that reason when its command dies;
// then the wrapper's own escalation (first signal, grace, SIGKILL) with identity checks.
// A ledger that cannot be written (locked past the busy timeout, a full disk, a read-only
// state dir) never stops the stop: the identities are in the rows already read.

import type { Database } from "bun:sqlite";
import { keepsOrphans, recordEnd, requestStop, type EndReason, type EntryRow } from "../ledger/entries.ts";
import type { EndFacts } from "../entry/end.ts";
import { entryRef, inRecordedNamespace, wrapperIdentity } from "../entry/liveness.ts";
import { countAlive, findEntryProcesses, scanProcesses, sharedProbe, type EntryProbe } from "../proc/scan.ts";
import type { ProcStat } from "../proc/stat.ts";
import { currentIfSame, selfIdentity, type ProcessIdentity } from "../proc/identity.ts";
import { signalName, signalNumber, SIGNALS } from "../proc/signals.ts";
import { stopAll, type StopReport, type StopTarget, type TerminateOutcome } from "./engine.ts";
import { entryPolicy } from "./entry-policy.ts";
import { DEFAULT_CONFIG } from "../config/defaults.ts";
import { type KeepSettings, recordedAsksToBeKept } from "../policy/keep.ts";
import type { Proof } from "../policy/lifecycle.ts";

/** other-namespace: recorded in another pid namespace, where its pids name other processes: nothing is sent. */
export type StopOutcome = TerminateOutcome | "already-ended" | "other-namespace";

export interface StopResult {
  id: string;
  outcome: StopOutcome;
  /** The last signal sent to the command, if any. */
  signal: string | null;
  durationMs: number;
  /** Why the ledger could not record this stop (the stop itself went ahead); absent when it could. */
  unrecorded?: unknown;
}

export interface EntryStopOptions {
  reason: EndReason;
  /** Defaults to the entry's own first signal and grace period. */
  signal?: number;
  graceMs?: number;
  /** The first signal was already sent (SessionEnd's fast path): "nothing left" then means it worked. */
  signalledBefore?: boolean;
  /** What SessionEnd leaves (reap.protect, reap.sessionKeep); the built-in lists when not given. `kill` reads none. */
  keep?: KeepSettings;
  /** `kill --port`: the port path and the proof its holder was found ours by (keep marks hold); else `kill`'s or SessionEnd's. */
  port?: { proof: Proof };
}

/**
 * What a stop needs once the ledger is marked. command: the entry's command, whose end is
 * recorded here. leftovers: what an ended entry left (kept by --keep-orphaned or a keep
 * rule); its record stays, and `kill ID` is what may still end it.
 * before-launch: a wrapper that has not launched yet takes a terminating signal as "do not
 * launch" and records that itself, so it is never sent SIGKILL.
 */
interface Planned {
  row: EntryRow;
  kind: "command" | "leftovers" | "before-launch";
  target: StopTarget;
  signal: number;
  graceMs: number;
  /** Why the stop could not be marked in the ledger; absent when it was. */
  unmarked?: unknown;
}

type Done = (row: EntryRow, outcome: StopOutcome, signal: string | null, unrecorded?: unknown) => StopResult;

/**
 * Stops entries together: each is marked first (so a live wrapper records the reason), then
 * every escalation runs in one batch (one /proc scan per look, each its own grace), then each
 * outcome is recorded.
 */
export async function stopEntries(db: Database, rows: readonly EntryRow[], options: EntryStopOptions): Promise<StopResult[]> {
  const started = Date.now();
  const done: Done = (row, outcome, signal, unrecorded) => ({ id: row.id, outcome, signal, durationMs: Date.now() - started, ...(unrecorded === undefined ? {} : { unrecorded }) });
  // The stop's owner: while it lives, its request counts; once it is gone (SIGKILLed in its grace), only what the stop reached.
  const owner = selfIdentity();
  const marks = ledgerWrites();
  const results: Array<StopResult | Planned> = rows.map((row) => prepare(db, row, options, owner, marks, done));
  const planned = results.filter((r): r is Planned => "kind" in r);
  const reports = await stopAll(planned.map((p) => ({ target: p.target, signal: p.signal, graceMs: p.graceMs })));
  const afterwards = lazyScan();
  // Tried again after the stop, whatever the marks met: a lock may be gone by now.
  const ends = ledgerWrites();
  const recorded = new Map(planned.map((p, i) => [p, record(db, p, reports[i]!, options, afterwards, ends, done)]));
  return results.map((r) => ("kind" in r ? recorded.get(r)! : r));
}

function prepare(db: Database, row: EntryRow, options: EntryStopOptions, owner: ProcessIdentity | null, marks: LedgerWrites, done: Done): StopResult | Planned {
  if (inRecordedNamespace(entryRef(row)) !== true) return done(row, "other-namespace", null);
  const signal = options.signal ?? firstSignalOf(row);
  const graceMs = options.graceMs ?? row.grace_ms ?? Number.POSITIVE_INFINITY;
  // What a --keep-orphaned entry left running after its end: only this may end it.
  const path = options.port ? "port" : options.reason === "manual" ? "kill" : "session-end";
  const keep = options.keep ?? { protect: DEFAULT_CONFIG.reap.protect, sessionKeep: DEFAULT_CONFIG.reap.sessionKeep };
  const policy = entryPolicy(path, { keepOrphaned: keepsOrphans(row), sessionBound: row.session_bound === 1, asked: recordedAsksToBeKept(row.command) }, keep, options.port?.proof);
  const command: StopTarget = { entry: entryRef(row), policy };
  if (row.ended_at !== null && options.reason === "manual") return { row, kind: "leftovers", target: command, signal, graceMs };
  if (row.ended_at !== null) return done(row, "already-ended", null);
  const mark = marks(() => requestStop(db, row.id, options.reason, owner));
  if (mark.ok && !mark.value) return done(row, "already-ended", null);
  // Unmarked, the stop still goes ahead, by the row as read: the user asked for it.
  const unmarked = mark.ok ? {} : { unmarked: mark.error };
  // Recorded but not yet launched. (A dead wrapper's command, if any, is found by its cookie.)
  const wrapper = wrapperIdentity(row);
  if (row.pid === null && wrapper && currentIfSame(wrapper)) {
    return { row, kind: "before-launch", target: { process: wrapper }, signal, graceMs: Number.POSITIVE_INFINITY, ...unmarked };
  }
  return { row, kind: "command", target: command, signal, graceMs, ...unmarked };
}

function record(db: Database, p: Planned, report: StopReport, options: EntryStopOptions, afterwards: Afterwards, ends: LedgerWrites, done: Done): StopResult {
  const { row, signal } = p;
  const { outcome, signal: sent } = report;
  // An ordinary ended entry with nothing left of it is reported as ended, as before.
  if (p.kind === "leftovers" && outcome === "gone" && !keepsOrphans(row)) return done(row, "already-ended", null, p.unmarked);
  if (p.kind !== "command") return done(row, outcome, sent, p.unmarked);
  // A dead or stopped wrapper never records the end, so this must not wait for it; a live one
  // records the same end (first writer wins), and a stop that reached nothing is withdrawn.
  const ref = entryRef(row);
  const sameNamespace = inRecordedNamespace(ref) === true;
  const wrapper = wrapperIdentity(row);
  const facts: EndFacts = {
    by: "stopper",
    at: Date.now(),
    reason: options.reason,
    outcome,
    sent,
    signalledBefore: options.signalledBefore ? signalName(signal) : null,
    sameNamespace,
    wrapperAlive: sameNamespace && wrapper !== null && currentIfSame(wrapper) !== null,
    commandAlive: sameNamespace && ref.leader !== null && currentIfSame(ref.leader) !== null,
    // Only where nothing was reached: what of it lives decides between "running" and "lost".
    survivors: sameNamespace && outcome === "gone" ? countAlive(findEntryProcesses(ref, afterwards.stats(), afterwards.probe)) : 0,
  };
  const end = ends(() => recordEnd(db, row.id, facts));
  if (!end.ok) return done(row, outcome, sent, end.error);
  // Unmarked and not recorded here either: a live wrapper may have recorded the end, but not as this stop.
  return done(row, outcome, sent, end.value ? undefined : p.unmarked);
}

/**
 * One phase of a batch's ledger writes: once one fails (SQLite's error: busy past the
 * timeout, full, read-only), the rest of the phase is not tried, as each would wait out the
 * busy timeout again before its entry is signalled. Anything else is a bug, and thrown.
 */
type LedgerWrites = <T>(write: () => T) => { ok: true; value: T } | { ok: false; error: unknown };

function ledgerWrites(): LedgerWrites {
  let failed: { error: unknown } | null = null;
  return (write) => {
    if (failed) return { ok: false, error: failed.error };
    try {
      return { ok: true, value: write() };
    } catch (error) {
      if (!isSqliteError(error)) throw error;
      failed = { error };
      return { ok: false, error };
    }
  };
}

function isSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

/** What is alive once the batch is over, read once for all its entries and only if asked. */
interface Afterwards {
  stats: () => readonly ProcStat[];
  probe: EntryProbe;
}

function lazyScan(): Afterwards {
  let stats: readonly ProcStat[] | null = null;
  return { stats: () => (stats ??= scanProcesses()), probe: sharedProbe() };
}

/** The signal the entry was started with (`run --signal`), which any stop sends first. */
export function firstSignalOf(row: Pick<EntryRow, "first_signal">): number {
  return signalNumber(row.first_signal) || SIGNALS.SIGTERM;
}
