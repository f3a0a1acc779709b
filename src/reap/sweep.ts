// One sweep: snapshot /proc, read the ledger, plan, end the targets together, record.
// The whole sweep obeys reap.timeoutMs, each phase by its own deadline (the scan between its
// reads, the stop at every poll, each ledger write by its busy wait): what does not fit is
// reported as a `budget` error, not run on. An internal failure is reported, not thrown (the
// caller decides the exit status from reap.gracefulDegradation).

import type { Database } from "bun:sqlite";
import type { Config } from "../config/defaults.ts";
import { listEntries, type EntryRow } from "../ledger/entries.ts";
import { sessionEvidence } from "../ownership/recorded-sessions.ts";
import { describe } from "../ledger/open.ts";
import { sessionCookieOf } from "../ownership/cookie.ts";
import type { Proof } from "../policy/lifecycle.ts";
import { identityOf } from "../proc/identity.ts";
import { descendantsOf, type ForkMark, type TreeRoot } from "../proc/scan.ts";
import { ownLineage, type Lineage } from "../proc/signal.ts";
import { SIGNALS } from "../proc/signals.ts";
import { stopAll, type ForkedSince, type ProvenGroup, type StopReport, type TreeScope } from "../stop/engine.ts";
import { bootId } from "../proc/boot.ts";
import { parseDuration } from "../time/duration.ts";
import { carriedCookies, planSweep, type Plan, type PlannedTarget } from "./plan.ts";
import { countActions, type ReapReport, type ReportTarget } from "./report.ts";
import { isGone } from "../proc/stat.ts";
import { commandLine, type ProcInfo } from "../ownership/process-table.ts";
import { ageMs, type RuleSettings } from "./rules.ts";
import { ScanOverBudget, takeSnapshot } from "./snapshot.ts";
import { openForSweep, sweepLedger, type Fail } from "./sweep-ledger.ts";
import type { SweepOptions } from "./sweep-options.ts";
import { readNow } from "../proc/facts.ts";
import { inOwnNamespaceOnce } from "../entry/liveness.ts";

export type { SweepOptions } from "./sweep-options.ts";

export interface SweepResult {
  report: ReapReport;
  /** Ledger entries judged running (wrapper alive, within its deadline). */
  running: EntryRow[];
}

/** Kept back from the stop for recording its results: a tenth of the budget, at most this. */
const RECORD_RESERVE_MS = 250;
/** Kept for the stop whatever the scan takes: a quarter of the budget, at most this. */
const STOP_SHARE_MS = 1_000;

/** reap.timeoutMs cut into phases: the wall-clock time (ms) by which each must be over. */
export interface Budget {
  timeoutMs: number;
  scan: number;
  /** The stop reasons a live wrapper reads, written before the first signal: a short slice, never the stop's share. */
  marks: (now: number) => number;
  /** The stop, SIGKILL's settling included. */
  stop: number;
  /** The entries' ends and gc. */
  record: number;
  /** The history row: the whole sweep. */
  end: number;
}

export function budgetOf(started: number, timeoutMs: number): Budget {
  const end = started + timeoutMs;
  const reserve = Math.min(RECORD_RESERVE_MS, timeoutMs / 10);
  const stopShare = Math.min(STOP_SHARE_MS, timeoutMs / 4);
  const stop = end - reserve;
  return { timeoutMs, scan: stop - stopShare, marks: (now) => Math.min(now + reserve, stop - (stopShare * 3) / 4), stop, record: end - reserve / 2, end };
}

export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const started = Date.now();
  const reap = options.config.reap;
  const budget = budgetOf(started, reap.timeoutMs);
  const log = errorLog(reap.timeoutMs);
  const { errors, fail } = log;

  const ledger = sweepLedger(openForSweep(options.stateDir, reap.timeoutMs, fail), options, fail);
  const writes = budgetedWrites(ledger.db, log.unfinished);
  const lineage = ownLineage();
  const { plan, scanned, nowTicks, carried, forked, scanCut } = await planOrNothing(ledger.db, options, budget, lineage, log, ledger.corrupt);
  if (!options.dryRun) writes.each(plan.entries.filter(marksStop), budget.marks(Date.now()), (e) => ledger.markStops({ ...plan, entries: [e] }), "stop reason not recorded for $n entries");
  const results = options.dryRun ? new Map<PlannedTarget, StopReport>() : await endTargets(plan, options.config, budget, forked, lineage, fail);
  const cut = [...results.values()].filter((r) => r.cut && r.pending).length;
  if (cut) log.unfinished(`${cut} of ${results.size} targets not seen gone (pending)`);
  const targets = plan.targets.map((t) => reportTarget(t, results.get(t) ?? null, options.dryRun, nowTicks));
  const report: ReapReport = { scanned, durationMs: 0, dryRun: options.dryRun, targets, counts: countActions(targets), errors };
  if (!options.dryRun) {
    writes.each(plan.entries.filter(recordsEnd), budget.record, (e) => ledger.recordEnds({ ...plan, entries: [e] }, targets), "end not recorded for $n entries (the next sweep records them)");
    // A scan the budget cut short leaves gc no snapshot: it would read every environment itself.
    if (!scanCut && writes.within(budget.record)) ledger.collectGarbage(carried);
    else log.unfinished("gc skipped");
  }
  const ended = !options.dryRun && targets.some((t) => t.action !== "zombie");
  const logs = ended && Date.now() < budget.record;
  if (ended && !logs) log.unfinished("kill log not written (the history has the targets)");
  log.close();
  report.durationMs = Date.now() - started;
  // A free ledger takes the row at once; past the budget, a locked one is not waited for.
  writes.within(budget.end, true);
  ledger.appendRun(started, report);
  if (logs) await logKills(options.stateDir, report, results, plan);
  ledger.close();
  return { report, running: plan.entries.filter((e) => e.verdict === "running").map((e) => e.row) };
}

/** Entries whose stop reason the ledger gets before the first signal (as sweep-ledger's markStops chooses them). */
const marksStop = (e: Plan["entries"][number]) => (e.verdict === "owner-dead" || e.verdict === "overdue") && e.targeted > 0;
/** Entries whose end the sweep records (as sweep-ledger's recordEnds chooses them). */
const recordsEnd = (e: Plan["entries"][number]) => e.verdict === "lost" || e.verdict === "owner-dead" || e.verdict === "overdue";

interface ErrorLog {
  errors: string[];
  fail: Fail;
  /** Something the budget left undone. */
  unfinished(what: string): void;
  /** Adds the one `budget:` line for everything left undone so far. */
  close(): void;
}

/** report.errors: one line per failure, one for a locked ledger however many writes it failed, one for what the budget cut. */
function errorLog(timeoutMs: number): ErrorLog {
  const errors: string[] = [];
  const undone: string[] = [];
  let locked = false;
  return {
    errors,
    fail(what, error) {
      const busy = /^SQLITE_BUSY/.test(String((error as { code?: unknown })?.code ?? ""));
      if (busy && what.startsWith("ledger")) {
        if (!locked) errors.push(`ledger: ${describe(error)}`);
        locked = true;
      } else errors.push(`${what}: ${describe(error)}`);
    },
    unfinished: (what) => void undone.push(what),
    close() {
      if (undone.length) errors.push(`budget: reap.timeoutMs (${timeoutMs} ms) ran out: ${undone.splice(0).join(", ")}`);
    },
  };
}

interface BudgetedWrites {
  /** Whether time is left before `until`; the ledger's busy wait is cut to it (to 0 when `anyway` and none is left). */
  within(until: number, anyway?: boolean): boolean;
  /** One write per item while time is left before `until`; `$n` in `what` says how many were not made ("2 of 5"). */
  each<T>(items: readonly T[], until: number, write: (item: T) => void, what: string): void;
}

/** Ledger writes that share the budget: a locked ledger is waited for only as long as the phase has left. */
function budgetedWrites(db: Database | null, unfinished: (what: string) => void): BudgetedWrites {
  const within = (until: number, anyway = false) => {
    const left = Math.floor(until - Date.now());
    if (left <= 0 && !anyway) return false;
    // SQLite's busy handler counts the sleeps it asks for, not the time they take: on a loaded machine each runs long.
    db?.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(left / 2))}`);
    return left > 0;
  };
  return {
    within,
    each(items, until, write, what) {
      if (db === null) return;
      let left = items.length;
      for (const item of items) {
        if (!within(until)) break;
        write(item);
        left--;
      }
      if (left > 0) unfinished(what.replace("$n", `${left} of ${items.length}`));
    },
  };
}

/** A failed scan is reported and plans nothing: the sweep still records its run. */
async function planOrNothing(
  db: Database | null,
  options: SweepOptions,
  budget: Budget,
  lineage: Lineage,
  log: ErrorLog,
  corrupt: (error: unknown) => boolean,
): Promise<Omit<Planned, "carried"> & { carried: ReadonlySet<string> | undefined; scanCut: boolean }> {
  const plan = (ledger: Database | null) => planNow(ledger, options.config, { session: options.session, ending: null, lineage: lineage.pids, scanEndBy: budget.scan });
  try {
    try {
      return { ...(await plan(db)), scanCut: false };
    } catch (error) {
      // The ledger's pages failed the plan's reads: it is moved aside, and what no ledger records is still judged.
      if (db === null || !corrupt(error)) throw error;
      return { ...(await plan(null)), scanCut: false };
    }
  } catch (error) {
    const scanCut = error instanceof ScanOverBudget;
    if (scanCut) log.unfinished(`${error.message}, nothing was ended`);
    else log.fail("scan", error);
    // No snapshot: gc reads what carries a cookie itself.
    return { plan: { targets: [], entries: [] }, scanned: 0, nowTicks: 0, carried: undefined, forked: { mark: null, earlier: [] }, scanCut };
  }
}

/** TERM to every target at once, one shared grace, then what is left (and what it forked meanwhile) stopped and SIGKILLed, inside the budget. */
async function endTargets(plan: Plan, config: Config, budget: Budget, forked: Planned["forked"], lineage: Lineage, fail: Fail): Promise<Map<PlannedTarget, StopReport>> {
  const signalled = plan.targets.filter((t) => !t.zombie);
  if (signalled.length === 0) return new Map();
  try {
    // A grace of none still ends in SIGKILL, once the budget allows no more waiting.
    const graceMs = Math.max(0, Math.min(parseDuration(config.reap.grace, "reap.grace"), budget.stop - Date.now()));
    const groupOf = groupsByMember(plan);
    const keep = { protect: config.reap.protect, sessionKeep: config.reap.sessionKeep };
    const stops = signalled.map((t) => ({
      target: { process: identityOf(t.proc), group: groupOf.get(t.proc.pid), tree: treeScope(t), keep },
      signal: SIGNALS.SIGTERM,
      graceMs,
      endBy: budget.stop,
    }));
    const since: ForkedSince = { ...forked, keep };
    const reports = await stopAll(stops, { lineage, forked: since });
    return new Map(signalled.map((t, i) => [t, reports[i]!]));
  } catch (error) {
    fail("kill", error);
    return new Map();
  }
}

/** The proof each reason that carries a cookie acts on. */
const TREE_PROOF: Partial<Record<PlannedTarget["reason"], Proof>> = { "session-gone": "owner-gone", "owner-dead": "owner-gone", overdue: "overdue", escaped: "entry-ended" };

/**
 * What of a target's descendants may be ended with it: those carrying its own cookie (its
 * session's, or its entry's SUPERVISE_ID). The seed's rules (rg, agent shells) name no cookie: none.
 */
export function treeScope(t: PlannedTarget): TreeScope | null {
  const proof = TREE_PROOF[t.reason];
  if (t.zombie || proof === undefined) return null;
  if (t.reason === "session-gone") {
    const cookie = sessionCookieOf(t.proc.environ);
    return cookie ? { cookie: { agent: cookie.agent, session: cookie.session }, path: "sweep", tie: "session-leftover", proof } : null;
  }
  return t.ledgerId ? { cookie: { entry: t.ledgerId }, path: "sweep", tie: "escape", proof } : null;
}

/**
 * The snapshot's processes below a target with a tree scope that the plan did not make targets
 * (too young to judge, say): the engine may take them in with what is forked after the scan.
 * Never a wrapper of an entry: an entry's wrapper is its own.
 */
function seenBelow(plan: Plan, procs: readonly ProcInfo[]): number[] {
  const roots = new Map<number, TreeRoot<true>>();
  for (const t of plan.targets) if (treeScope(t)) roots.set(t.proc.pid, { stat: t.proc, owner: true });
  if (roots.size === 0) return [];
  const targets = new Set(plan.targets.map((t) => t.proc.pid));
  const wrappers = new Set(plan.entries.map((e) => e.row.wrapper_pid));
  const candidates = procs.filter((p) => !isGone(p) && !wrappers.has(p.pid) && (roots.has(p.pid) || !targets.has(p.pid)));
  return [...descendantsOf(roots, candidates, () => true).keys()];
}

export interface PlanScope {
  /** Only what provably belongs to this session (`reap --session`). */
  session: string | null;
  /** SessionEnd of this session: its leftovers, not a sweep's targets. */
  ending: string | null;
  /** At SessionEnd: the pid of the agent that is ending (what another live agent owns is left). */
  endingAgent?: number | null;
  lineage: ReadonlySet<number>;
  /** Wall-clock time (ms) by which the scan must be over (it throws ScanOverBudget past it); none: unbounded. */
  scanEndBy?: number;
}

export interface Planned {
  plan: Plan;
  scanned: number;
  nowTicks: number;
  /** The entry ids whose cookie a live process of the snapshot carries (gc keeps their rows). */
  carried: ReadonlySet<string>;
  /** Where the targets' descendants forked since the scan are looked for. */
  forked: { mark: ForkMark | null; earlier: readonly number[] };
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
    endBy: scope.scanEndBy,
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
    namespace: readNow.pidNamespace("self"),
    sameNamespaceOf: inOwnNamespaceOnce,
    around: { nowTicks: snapshot.nowTicks, ownUid: uid, lineage: scope.lineage, subreapers: snapshot.subreapers, session: scope.session, endingAgent: scope.endingAgent ?? null },
  });
  return { plan, scanned: snapshot.procs.length, nowTicks: snapshot.nowTicks, carried, forked: { mark: snapshot.mark, earlier: seenBelow(plan, snapshot.procs) } };
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
async function logKills(stateDir: string, report: ReapReport, results: ReadonlyMap<PlannedTarget, StopReport>, plan: Plan): Promise<void> {
  try {
    const { openPinoLog } = await import("../log.ts");
    const log = await openPinoLog(stateDir);
    report.targets.forEach((t, i) => {
      if (t.action === "zombie") return;
      // How many of its descendants, forked since the scan, were ended with it.
      const forked = results.get(plan.targets[i]!)?.forked;
      // `pid` is the logging process's (pino's base field): the target's is its own key.
      log.info({ targetPid: t.pid, name: t.name, command: t.command, reason: t.reason, ledgerId: t.ledgerId, action: t.action, signal: t.signal, ageSeconds: t.ageSeconds, durationMs: t.durationMs, ...(forked ? { forked } : {}) }, "reaped");
    });
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
    argv: t.proc.argv,
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
