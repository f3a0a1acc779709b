// SessionEnd: end the session's supervised commands and its unsupervised leftovers (orphans
// carrying its id, and what runs below them), inside Claude Code's 1.5 s budget for all
// SessionEnd hooks. The hook sends the first signal itself and hands the grace period and
// SIGKILL to a fully detached follow-up (own session, stdio closed), so it returns in
// milliseconds. SessionEnd is not always fired: the SessionStart sweep stays the safety net.

import type { Database } from "bun:sqlite";
import type { Config } from "../config/defaults.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { existingLedger } from "../ledger/open.ts";
import { openLog, openPinoLog } from "../log.ts";
import { stateDir } from "../state-dir.ts";
import { stopEntries } from "../stop/stop-entry.ts";
import { answer, note } from "./answer.ts";
import { readHookInput, stringField } from "./input.ts";
import { spawnDetachedSelf } from "./self.ts";
import { identityOf } from "../proc/identity.ts";
import { ownLineage, type Lineage } from "../proc/signal.ts";
import { SIGNALS } from "../proc/signals.ts";
import type { Plan, PlannedTarget } from "../reap/plan.ts";
import { planNow } from "../reap/sweep.ts";
import { parseDuration } from "../time/duration.ts";
import { keepsOrphans, listEntries, requestStop, type EntryRow } from "../ledger/entries.ts";
import { entryRef } from "../entry/liveness.ts";
import { signalFirst, stopAll, UNESCALATED_WAIT_MS } from "../stop/engine.ts";
import { firstSignalOf } from "../stop/stop-entry.ts";
import { entryPolicy } from "../stop/entry-policy.ts";
import { DEFAULT_CONFIG } from "../config/defaults.ts";

/** SessionEnd has no decision control: its answer is always `{}`, whatever happened, for every agent. */
export async function sessionEndHook(): Promise<void> {
  try {
    await endSession();
  } finally {
    await answer({});
  }
}

async function endSession(): Promise<void> {
  const input = await readHookInput("session-end");
  const session = stringField(input.data, "session_id");
  // Which session, and why it ended, must be as the agent said: otherwise end nothing.
  const unsure = input.problem && (input.dropped.length === 0 || input.dropped.includes("session_id") || input.dropped.includes("reason"));
  if (unsure) return void (await note(`${input.problem}; nothing ended`));
  if (!session) return void (await note("no session_id in the SessionEnd input; nothing ended"));
  if (input.problem) await note(input.problem);
  const reason = stringField(input.data, "reason") ?? "other";
  const cwd = stringField(input.data, "cwd") ?? process.cwd();
  try {
    const dir = stateDir();
    const { config } = await loadConfig({ stateDir: dir, cwd });
    // clear and resume end a session but not the process: commands may live on.
    if (!config.hooks.sessionEndKillOn.includes(reason)) return;
    const db = existingLedger(dir);
    const lineage = ownLineage();
    const plan = await sessionPlan(db, config, session, lineage.pids);
    const stopping = db ? signalSessionEntries(db, session, plan) : [];
    const leftovers = signalSessionLeftovers(plan, lineage);
    // One line even when nothing runs: the log is how a user checks that SessionEnd fired.
    openLog(dir).info({ session, reason, stopping, leftovers }, "session end");
    if (stopping.length || leftovers.length) spawnDetachedSelf(["hook", "session-end-follow-up", session, cwd]);
  } catch (error) {
    await note(`session-end: ${(error as Error).message}`);
  }
}

/** `hook session-end-follow-up SESSION CWD`: the grace period and SIGKILL, for entries and leftovers alike. */
export async function sessionEndFollowUp(args: string[]): Promise<void> {
  const [session, cwd] = args;
  if (!session || !cwd) throw new UsageError("session-end-follow-up needs a session id and the session's cwd");
  const dir = stateDir();
  const { config } = await loadConfig({ stateDir: dir, cwd });
  const db = existingLedger(dir);
  const lineage = ownLineage();
  const plan = await sessionPlan(db, config, session, lineage.pids);
  const entries = db ? stopEntries(db, sessionEntriesToEnd(db, session, plan), { reason: "session-end", signalledBefore: true }) : [];
  await Promise.all([entries, endSessionLeftovers(plan, lineage, config, session, dir)]);
}

/** What SessionEnd judges, from one /proc scan: the session's unledgered leftovers, and which of its entries are kept. */
async function sessionPlan(db: Database | null, config: Config, session: string, lineage: ReadonlySet<number>): Promise<Plan> {
  return (await planNow(db, config, { session: null, ending: session, lineage })).plan;
}

/** The session's running entries that SessionEnd ends: all but those started to keep running or carrying SUPERVISE_KEEP=1. */
export function sessionEntriesToEnd(db: Database, session: string, plan: Pick<Plan, "entries">): EntryRow[] {
  const kept = new Set(plan.entries.filter((e) => e.keep).map((e) => e.row.id));
  return listEntries(db, { session }).filter((row) => !keepsOrphans(row) && !kept.has(row.id));
}

/** Marks each running entry of the session as stopping and sends it its first signal; the ids. */
export function signalSessionEntries(db: Database, session: string, plan: Pick<Plan, "entries">): string[] {
  const stopping = sessionEntriesToEnd(db, session, plan).filter((row) => requestStop(db, row.id, "session-end"));
  const keep = { protect: DEFAULT_CONFIG.reap.protect, sessionKeep: DEFAULT_CONFIG.reap.sessionKeep };
  const policy = (row: EntryRow) => entryPolicy("session-end", { keepOrphaned: keepsOrphans(row), sessionBound: row.session_bound === 1 }, keep);
  signalFirst(stopping.filter((row) => row.pid !== null).map((row) => ({ target: { entry: entryRef(row), policy: policy(row) }, signal: firstSignalOf(row) })));
  return stopping.map((row) => row.id);
}

/** The session's unledgered leftovers: what the sweep's rules call session-end for it. */
function sessionLeftovers(plan: Plan): PlannedTarget[] {
  return plan.targets.filter((t) => !t.zombie);
}

/** The first signal (TERM, then SIGCONT) to each leftover, by identity; their pids. */
export function signalSessionLeftovers(plan: Plan, lineage: Lineage): number[] {
  const targets = sessionLeftovers(plan);
  signalFirst(targets.map(({ proc }) => ({ target: { process: identityOf(proc) }, signal: SIGNALS.SIGTERM })), lineage);
  return targets.map((t) => t.proc.pid);
}

/** After the hook: what is left of them gets TERM again, reap.grace, then SIGKILL; each end is one log line. */
export async function endSessionLeftovers(plan: Plan, lineage: Lineage, config: Config, session: string, dir: string): Promise<void> {
  const targets = sessionLeftovers(plan);
  if (targets.length === 0) return;
  // A leftover always ends in SIGKILL: a grace of none is taken as the longest bounded wait.
  const graceMs = Math.min(parseDuration(config.reap.grace, "reap.grace"), UNESCALATED_WAIT_MS);
  const reports = await stopAll(
    targets.map(({ proc }) => ({ target: { process: identityOf(proc) }, signal: SIGNALS.SIGTERM, graceMs })),
    { lineage },
  );
  // The detached follow-up: no one waits for it, so pino itself writes its lines.
  const log = await openPinoLog(dir);
  targets.forEach((t, i) => log.info({ session, pid: t.proc.pid, name: t.proc.comm, reason: "session-end", action: reports[i]!.outcome }, "session leftover ended"));
}
