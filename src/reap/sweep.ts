// One sweep: snapshot /proc, read the ledger, plan, end the targets together, record.
// The whole sweep obeys reap.timeoutMs; an internal failure is reported, not thrown
// (the caller decides the exit status from reap.gracefulDegradation).

import type { Database } from "bun:sqlite";
import type { Config } from "../config/defaults.ts";
import { listEntries, type EntryRow } from "../ledger/entries.ts";
import { sessionEvidence } from "../ownership/recorded-sessions.ts";
import { describe } from "../ledger/open.ts";
import { identityOf } from "../proc/identity.ts";
import { ownLineage, type Lineage } from "../proc/signal.ts";
import { SIGNALS } from "../proc/signals.ts";
import { stopAll, type ProvenGroup, type StopReport } from "../stop/engine.ts";
import { bootId } from "../proc/boot.ts";
import { readPidNamespace } from "../proc/facts.ts";
import { parseDuration } from "../time/duration.ts";
import type { ReapTrigger } from "./history.ts";
import { carriedCookies, planSweep, type Plan, type PlannedTarget } from "./plan.ts";
import { countActions, type ReapReport, type ReportTarget } from "./report.ts";
import { commandLine } from "../ownership/process-table.ts";
import { ageMs, type RuleSettings } from "./rules.ts";
import { takeSnapshot } from "./snapshot.ts";
import { openForSweep, sweepLedger, type Fail } from "./sweep-ledger.ts";

export interface SweepOptions {
  config: Config;
  stateDir: string;
  dryRun: boolean;
  /** Only what provably belongs to this session (`reap --session`). */
  session: string | null;
  trigger: ReapTrigger;
  /** The session that asked for the sweep (the hook's session_id), for the history. */
  triggerSession: string | null;
}

export interface SweepResult {
  report: ReapReport;
  /** Ledger entries judged running (wrapper alive, within its deadline). */
  running: EntryRow[];
}

/** Kept back from the budget for recording the results and printing them. */
const RECORD_RESERVE_MS = 250;

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  const reap = options.config.reap;
  const budgetEnd = started + Math.max(0, reap.timeoutMs - RECORD_RESERVE_MS);
  const errors: string[] = [];
  const fail = (what: string, error: unknown) => errors.push(`${what}: ${describe(error)}`);

  const ledger = sweepLedger(openForSweep(options.stateDir, reap.timeoutMs, fail), options, fail);
  const lineage = ownLineage();
  const { plan, scanned, nowTicks, carried } = await planOrNothing(ledger.db, options, lineage, fail);
  ledger.markStops(plan);
  const results = options.dryRun ? new Map<PlannedTarget, StopReport>() : await endTargets(plan, reap, budgetEnd, lineage, fail);
  const targets = plan.targets.map((t) => reportTarget(t, results.get(t) ?? null, options.dryRun, nowTicks));
  const report: ReapReport = { scanned, durationMs: 0, dryRun: options.dryRun, targets, counts: countActions(targets), errors };
  ledger.recordEnds(plan, targets);
  ledger.collectGarbage(carried);
  report.durationMs = Date.now() - started;
  ledger.appendRun(started, report);
  if (!options.dryRun && targets.some((t) => t.action !== "zombie")) await logKills(options.stateDir, report);
  ledger.close();
  return { report, running: plan.entries.filter((e) => e.verdict === "running").map((e) => e.row) };
}

/** A failed scan is reported and plans nothing: the sweep still records its run. */
async function planOrNothing(db: Database | null, options: SweepOptions, lineage: Lineage, fail: Fail): Promise<Omit<Planned, "carried"> & { carried: ReadonlySet<string> | undefined }> {
  try {
    return await planNow(db, options.config, { session: options.session, ending: null, lineage: lineage.pids });
  } catch (error) {
    fail("scan", error);
    // No snapshot: gc reads what carries a cookie itself.
    return { plan: { targets: [], entries: [] }, scanned: 0, nowTicks: 0, carried: undefined };
  }
}

/** TERM to every target at once, one shared grace, SIGKILL to survivors, inside the budget. */
async function endTargets(plan: Plan, reap: Config["reap"], budgetEnd: number, lineage: Lineage, fail: Fail): Promise<Map<PlannedTarget, StopReport>> {
  const signalled = plan.targets.filter((t) => !t.zombie);
  if (signalled.length === 0) return new Map();
  try {
    // A grace of none still ends in SIGKILL, once the budget allows no more waiting.
    const graceMs = Math.min(parseDuration(reap.grace, "reap.grace"), budgetEnd - Date.now());
    const groupOf = groupsByMember(plan);
    const stops = signalled.map((t) => ({ target: { process: identityOf(t.proc), group: groupOf.get(t.proc.pid) }, signal: SIGNALS.SIGTERM, graceMs, endBy: budgetEnd }));
    const reports = await stopAll(stops, { lineage });
    return new Map(signalled.map((t, i) => [t, reports[i]!]));
  } catch (error) {
    fail("kill", error);
    return new Map();
  }
}

export interface PlanScope {
  /** Only what provably belongs to this session (`reap --session`). */
  session: string | null;
  /** SessionEnd of this session: its leftovers, not a sweep's targets. */
  ending: string | null;
  /** At SessionEnd: the pid of the agent that is ending (what another live agent owns is left). */
  endingAgent?: number | null;
  lineage: ReadonlySet<number>;
}

export interface Planned {
  plan: Plan;
  scanned: number;
  nowTicks: number;
  /** The entry ids whose cookie a live process of the snapshot carries (gc keeps their rows). */
  carried: ReadonlySet<string>;
}

/** One snapshot of /proc and the ledger, and what to end in it. */
export async function planNow(db: Database | null, config: Config, scope: PlanScope): Promise<Planned> {
  const boot = bootId();
  const uid = process.getuid!();
  const running = db ? listEntries(db) : [];
  const snapshot = await takeSnapshot({
    ownUid: uid,
    names: new Set([...config.reap.targets.rg, ...config.reap.targets.shells]),
    cookiesSinceTicks: db ? oldestWrapperTicks(db, boot) : null,
    sessionScope: true,
    groups: new Set(running.flatMap((row) => (row.pgid === null ? [] : [row.pgid]))),
    pids: new Set(running.map((row) => row.wrapper_pid)),
  });
  const carried = carriedCookies(snapshot.procs);
  const plan = planSweep({
    procs: snapshot.procs,
    running,
    ended: db ? endedEntries(db, carried) : new Map(),
    bootId: boot,
    now: Date.now(),
    settings: ruleSettings(config),
    unreadable: snapshot.unreadable,
    ...sessionEvidence(db, boot),
    ending: scope.ending,
    namespace: readPidNamespace("self"),
    around: { nowTicks: snapshot.nowTicks, ownUid: uid, lineage: scope.lineage, subreapers: snapshot.subreapers, session: scope.session, endingAgent: scope.endingAgent ?? null },
  });
  return { plan, scanned: snapshot.procs.length, nowTicks: snapshot.nowTicks, carried };
}

/** Each member of a proven group, with its group: signalled as a whole, it also reaches members forked since the scan. */
function groupsByMember(plan: Plan): Map<number, ProvenGroup> {
  const byMember = new Map<number, ProvenGroup>();
  for (const { group } of plan.entries) {
    if (group) for (const member of group.members) byMember.set(member.pid, group);
  }
  return byMember;
}

export function ruleSettings(config: Config): RuleSettings {
  const { reap } = config;
  return {
    thresholdsMs: {
      rg: parseDuration(reap.thresholds.rg, "reap.thresholds.rg"),
      rgTag: parseDuration(reap.thresholds.rgTag, "reap.thresholds.rgTag"),
      agentShell: parseDuration(reap.thresholds.agentShell, "reap.thresholds.agentShell"),
      sessionGone: parseDuration(reap.thresholds.sessionGone, "reap.thresholds.sessionGone"),
    },
    sessionKeep: reap.sessionKeep,
    rgNames: reap.targets.rg,
    shellNames: reap.targets.shells,
    tagPattern: new RegExp(reap.tagPattern),
    protect: reap.protect,
  };
}

/** Cookie carriers start after their wrapper: older processes need not have their environment read. */
function oldestWrapperTicks(db: Database, boot: string): number | null {
  const row = db.query("SELECT MIN(wrapper_start_ticks) AS ticks FROM entries WHERE boot_id = :boot").get({ boot }) as { ticks: number | null };
  return row.ticks;
}

function endedEntries(db: Database, ids: ReadonlySet<string>): Map<string, EntryRow> {
  const out = new Map<string, EntryRow>();
  const query = db.query("SELECT * FROM entries WHERE id = :id AND ended_at IS NOT NULL");
  for (const id of ids) {
    const row = query.get({ id }) as EntryRow | null;
    if (row) out.set(id, row);
  }
  return out;
}

/** pino, loaded only when a sweep ended something: the common empty sweep never pays its import. */
async function logKills(stateDir: string, report: ReapReport): Promise<void> {
  try {
    const { openPinoLog } = await import("../log.ts");
    const log = await openPinoLog(stateDir);
    for (const t of report.targets) {
      if (t.action === "zombie") continue;
      log.info({ pid: t.pid, name: t.name, command: t.command, reason: t.reason, ledgerId: t.ledgerId, action: t.action, signal: t.signal, ageSeconds: t.ageSeconds, durationMs: t.durationMs }, "reaped");
    }
    log.info({ scanned: report.scanned, durationMs: report.durationMs, counts: report.counts }, "reap finished");
  } catch {
    // The log is a convenience; the report and the history carry the same facts.
  }
}

function reportTarget(t: PlannedTarget, result: StopReport | null, dryRun: boolean, nowTicks: number): ReportTarget {
  const action = t.zombie ? "zombie" : dryRun ? "would-kill" : result?.outcome ?? "failed";
  const target: ReportTarget = {
    pid: t.proc.pid,
    pgid: t.proc.pgrp,
    name: t.proc.comm,
    command: commandLine(t.proc) ?? "",
    reason: t.reason,
    ageSeconds: Math.floor(ageMs(t.proc, nowTicks) / 1000),
    ledgerId: t.ledgerId,
    action,
    signal: result?.signal ?? null,
    durationMs: result?.durationMs ?? null,
  };
  if (result?.pending) target.pending = true;
  return target;
}
