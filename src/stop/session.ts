// SessionEnd's front end of the stop engine, in two steps. begin, in the hook: one plan of
// what the ending agent owns, the entries marked (reason session-end) and every target's
// first signal, no waiting (Claude Code gives all SessionEnd hooks 1.5 s). finish, in the
// detached follow-up: the grace period and SIGKILL for exactly what begin signalled. The
// follow-up never plans again: by then the agent has exited and its own children (MCP
// servers, tool shells, other hooks) are orphans carrying its cookie, which are the next
// SessionStart's to judge.

import type { Database } from "bun:sqlite";
import type { Config } from "../config/defaults.ts";
import { entryRef } from "../entry/liveness.ts";
import { UsageError } from "../errors.ts";
import { entriesById, keepsOrphans, requestStop, type EntryRow } from "../ledger/entries.ts";
import { type KeepSettings, recordedAsksToBeKept } from "../policy/keep.ts";
import { currentIfSame, identityOf, selfIdentity, type ProcessIdentity } from "../proc/identity.ts";
import type { Lineage } from "../proc/signal.ts";
import { SIGNALS } from "../proc/signals.ts";
import type { Plan } from "../reap/plan.ts";
import { parseDuration } from "../time/duration.ts";
import { signalFirst, stopAll, UNESCALATED_WAIT_MS, type StopReport } from "./engine.ts";
import { entryPolicy } from "./entry-policy.ts";
import { firstSignalOf, stopEntries, type StopResult } from "./stop-entry.ts";

/** What begin signalled: all that finish may end. */
export interface Signalled {
  /** Entries marked stopping with reason session-end (and sent their first signal once launched). */
  entries: string[];
  /** Unledgered leftovers that the first signal reached, by identity. */
  leftovers: ProcessIdentity[];
}

/** The keep lists SessionEnd honours: the user's, as loaded, never the built-in ones alone. */
export function keepSettings(config: Config): KeepSettings {
  return { protect: config.reap.protect, sessionKeep: config.reap.sessionKeep };
}

/**
 * From the SessionEnd plan (src/reap/sweep.ts planNow with `ending` and `endingAgent`): marks the
 * entries the ending agent owns and sends every first signal; what was signalled.
 */
export function beginSessionEnd(db: Database | null, config: Config, plan: Plan, lineage: Lineage): Signalled {
  const entries = db ? signalEntries(db, entriesToEnd(plan), keepSettings(config), lineage) : [];
  return { entries, leftovers: signalLeftovers(leftoversToEnd(plan), lineage) };
}

/** The session's running entries SessionEnd may end: not kept, not another live agent's, not of another pid namespace. */
export function entriesToEnd(plan: Pick<Plan, "entries">): EntryRow[] {
  return plan.entries.filter((e) => e.atSessionEnd === "end").map((e) => e.row);
}

/** The session's unledgered leftovers the plan allows (a zombie cannot be signalled away). */
export function leftoversToEnd(plan: Pick<Plan, "targets">): ProcessIdentity[] {
  return plan.targets.filter((t) => !t.zombie).map((t) => identityOf(t.proc));
}

/** Marks each entry stopping, then one first signal to those launched; the ids marked. */
function signalEntries(db: Database, rows: readonly EntryRow[], keep: KeepSettings, lineage: Lineage): string[] {
  // Owned by this hook, then by the follow-up that re-marks them: a request nobody alive
  // stands behind no longer turns a command's own exit into killed/session-end.
  const owner = selfIdentity();
  const marked = rows.filter((row) => requestStop(db, row.id, "session-end", owner));
  const launched = marked.filter((row) => row.pid !== null);
  signalFirst(launched.map((row) => ({ target: { entry: entryRef(row), policy: sessionEndPolicy(row, keep) }, signal: firstSignalOf(row) })), lineage);
  return marked.map((row) => row.id);
}

function sessionEndPolicy(row: EntryRow, keep: KeepSettings) {
  return entryPolicy("session-end", { keepOrphaned: keepsOrphans(row), sessionBound: row.session_bound === 1, asked: recordedAsksToBeKept(row.command) }, keep);
}

/** TERM (and SIGCONT) to each leftover; only those it reached are finished later. */
function signalLeftovers(leftovers: readonly ProcessIdentity[], lineage: Lineage): ProcessIdentity[] {
  return leftovers.filter((identity) => signalFirst([{ target: { process: identity }, signal: SIGNALS.SIGTERM }], lineage) > 0);
}

export interface Finished {
  entries: StopResult[];
  leftovers: Array<{ identity: ProcessIdentity; name: string | null; report: StopReport }>;
}

/** The grace period and SIGKILL for exactly what begin signalled: entries through their own escalation, leftovers by identity. */
export async function finishSessionEnd(db: Database | null, config: Config, session: string, signalled: Signalled, lineage: Lineage): Promise<Finished> {
  // Only the session's own rows: the ids arrive on a command line.
  const rows = db ? entriesById(db, signalled.entries).filter((row) => row.session === session) : [];
  const keep = keepSettings(config);
  const [entries, leftovers] = await Promise.all([
    db && rows.length ? stopEntries(db, rows, { reason: "session-end", signalledBefore: true, keep }) : [],
    finishLeftovers(signalled.leftovers, config, lineage),
  ]);
  return { entries, leftovers };
}

async function finishLeftovers(leftovers: readonly ProcessIdentity[], config: Config, lineage: Lineage): Promise<Finished["leftovers"]> {
  if (leftovers.length === 0) return [];
  // A leftover always ends in SIGKILL: a grace of none is taken as the longest bounded wait.
  const graceMs = Math.min(parseDuration(config.reap.grace, "reap.grace"), UNESCALATED_WAIT_MS);
  const names = leftovers.map((identity) => currentIfSame(identity)?.comm ?? null);
  const reports = await stopAll(
    leftovers.map((identity) => ({ target: { process: identity, keep: keepSettings(config) }, signal: SIGNALS.SIGTERM, graceMs })),
    { lineage },
  );
  return leftovers.map((identity, i) => ({ identity, name: names[i]!, report: reports[i]! }));
}

// The follow-up's arguments: one per identity, so no single argument grows with the session
// (Linux caps one at 128 KiB, all of them at a quarter of the stack limit).
const ENTRY_ARG = /^entry:([0-9a-z]+)$/;
const PROCESS_ARG = /^process:([^:\s]+):([1-9][0-9]{0,9}):(0|[1-9][0-9]{0,17})$/;

/** What begin signalled, as command-line arguments for the follow-up. */
export function signalledArgs(signalled: Signalled): string[] {
  return [...signalled.entries.map((id) => `entry:${id}`), ...signalled.leftovers.map((p) => `process:${p.bootId}:${p.pid}:${p.startTicks}`)];
}

/** The follow-up's arguments back into identities; a malformed one is a usage error, and nothing is ended. */
export function parseSignalledArgs(args: readonly string[]): Signalled {
  const signalled: Signalled = { entries: [], leftovers: [] };
  for (const arg of args) {
    const entry = ENTRY_ARG.exec(arg);
    const proc = entry ? null : PROCESS_ARG.exec(arg);
    if (entry) signalled.entries.push(entry[1]!);
    else if (proc) signalled.leftovers.push({ bootId: proc[1]!, pid: Number(proc[2]), startTicks: Number(proc[3]) });
    else throw new UsageError(`session-end-follow-up: not an entry:ID or process:BOOT:PID:TICKS argument: ${JSON.stringify(arg)}`);
  }
  return signalled;
}
