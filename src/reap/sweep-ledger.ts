// What a sweep reads from and writes to the ledger: opened within the sweep's budget, and
// without a ledger (it could not be opened) every write is a step that does nothing. The
// sweep never depends on the ledger to judge what it does not record (rg, agent shells, dead
// sessions): a ledger found corrupt at open, by the integrity check after it, or on any later
// statement is moved aside, and the sweep goes on without it.

import type { Database } from "bun:sqlite";
import { recordEnd, requestStop } from "../ledger/entries.ts";
import { entryRef } from "../entry/liveness.ts";
import { currentIfSame } from "../proc/identity.ts";
import { removeFinished } from "../entry/gc.ts";
import { removeOldSessions } from "../ledger/sessions.ts";
import { bootId } from "../proc/boot.ts";
import { closeSettingAside, describe, isCorruption, ledgerDamage, openLedger, setAsideCorrupt } from "../ledger/open.ts";
import { ensureStateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";
import { appendRun } from "./history.ts";
import type { TerminateOutcome } from "../stop/engine.ts";
import type { Plan } from "./plan.ts";
import type { ReapReport, ReportTarget } from "./report.ts";
import type { SweepOptions } from "./sweep-options.ts";

export type Fail = (what: string, error: unknown) => void;

/** What a sweep writes to the ledger; without a ledger (it could not be opened) each step does nothing. */
export interface SweepLedger {
  db: Database | null;
  /** A live wrapper (an agent died under it, a stopped one) records the end when its command dies: tell it why first. */
  markStops(plan: Plan): void;
  recordEnds(plan: Plan, targets: readonly ReportTarget[]): void;
  /** carried: the cookies the sweep's snapshot saw live processes carry (read again when not given). */
  collectGarbage(carried?: ReadonlySet<string>): void;
  appendRun(started: number, report: ReapReport): void;
  /**
   * Whether `error` is the ledger's corruption, met on a statement of the sweep's own (its
   * plan's reads): the file is then moved aside (once), reported, and every later write
   * does nothing. The caller plans again without the ledger.
   */
  corrupt(error: unknown): boolean;
  close(): void;
}

export function sweepLedger(db: Database | null, options: SweepOptions, fail: Fail): SweepLedger {
  if (db === null) return { db, markStops() {}, recordEnds() {}, collectGarbage() {}, appendRun() {}, corrupt: () => false, close() {} };
  const writes = !options.dryRun;
  let broken = false;
  const corrupt = (error: unknown): boolean => {
    if (!isCorruption(error)) return false;
    if (!broken) {
      broken = true;
      // Moved, never closed here: the sweep still holds this connection (its busy timeouts) until close().
      const target = setAsideCorrupt(options.stateDir, db);
      fail("ledger", new Error(`corrupt (${describe(error)}); ${target ? `moved it to ${target}; the next writer starts a new one` : "another writer moved it aside"}`));
    }
    return true;
  };
  // A write that meets corruption moves the ledger aside instead of failing every write after it.
  const failed: Fail = (what, error) => void (corrupt(error) || fail(what, error));
  return {
    db,
    markStops(plan) {
      if (writes && !broken) markStops(db, plan, failed);
    },
    recordEnds(plan, targets) {
      if (writes && !broken) recordEntryEnds(db, plan, targets, failed);
    },
    collectGarbage(carried) {
      if (writes && !broken) autoGc(db, options, carried, failed);
    },
    appendRun(started, report) {
      if (broken) return;
      try {
        appendRun(db, started, options.trigger, options.triggerSession, report, options.config.reap.historySize);
      } catch (error) {
        failed("history", error);
      }
    },
    corrupt,
    close: () => db.close(),
  };
}

export function openForSweep(dir: string, timeoutMs: number, fail: Fail): Database | null {
  // Never wait for the ledger lock longer than a fraction of the whole budget.
  const busyTimeoutMs = Math.min(2_000, Math.floor(timeoutMs / 3));
  try {
    ensureStateDir(dir);
    const opened = openLedger(dir, { busyTimeoutMs });
    if (opened.movedAside) fail("ledger", new Error(`the ledger was corrupt; moved it to ${opened.movedAside} and started a new one`));
    return checked(dir, opened.db, busyTimeoutMs, fail);
  } catch (error) {
    fail("ledger", error);
    return null;
  }
}

/**
 * Pages damaged behind an intact header pass the open and fail the first read that reaches
 * them: the plan's, which would leave the sweep judging nothing. SQLite's quick check reads
 * every page first (milliseconds for thousands of rows); a damaged ledger is moved aside and
 * a new one started, as a writer does at open.
 */
function checked(dir: string, db: Database, busyTimeoutMs: number, fail: Fail): Database {
  const damage = ledgerDamage(db);
  if (damage === null) return db;
  const target = closeSettingAside(dir, db);
  fail("ledger", new Error(`corrupt (${damage}); ${target ? `moved it to ${target} and started a new one` : "another writer moved it aside"}`));
  return openLedger(dir, { busyTimeoutMs }).db;
}


/** Only an entry the plan signals is marked: one whose processes are all kept was asked nothing. */
function markStops(db: Database, plan: Plan, fail: Fail): void {
  for (const { row, verdict, targeted } of plan.entries) {
    if ((verdict !== "owner-dead" && verdict !== "overdue") || targeted === 0) continue;
    try {
      requestStop(db, row.id, verdict);
    } catch (error) {
      fail("ledger", error);
    }
  }
}

/** Keeps the ledger bounded without anyone running `supervise gc`: config gc.after / gc.keepFinished, and old sessions. */
function autoGc(db: Database, options: SweepOptions, carried: ReadonlySet<string> | undefined, fail: Fail): void {
  try {
    const afterMs = parseDuration(options.config.gc.after, "gc.after");
    const endedBefore = Number.isFinite(afterMs) ? Date.now() - afterMs : Number.NEGATIVE_INFINITY;
    removeFinished(db, options.stateDir, { endedBefore, keepFinished: options.config.gc.keepFinished }, carried);
    // A session older than gc.after whose agent still lives is then unknown again, never gone.
    removeOldSessions(db, bootId(), endedBefore);
  } catch (error) {
    fail("gc", error);
  }
}

/**
 * How each judged entry ended, as src/entry/end.ts decides from what the sweep reached: killed
 * only when some target of it was reached and none survived (a survivor keeps it running, so
 * the next sweep tries again); nothing when nothing was sent. Lost entries are recorded
 * without any signal sent. First writer wins: a wrapper that recorded its own end keeps it.
 */
function recordEntryEnds(db: Database, plan: Plan, targets: readonly ReportTarget[], fail: Fail): void {
  const now = Date.now();
  for (const { row, verdict } of plan.entries) {
    if (verdict !== "lost" && verdict !== "owner-dead" && verdict !== "overdue") continue;
    try {
      const mine = targets.filter((t) => t.ledgerId === row.id && t.action !== "zombie").map((t) => ({ outcome: outcomeOf(t.action), signal: t.signal }));
      const leader = entryRef(row).leader;
      recordEnd(db, row.id, { by: "sweep", at: now, verdict, targets: mine, commandAlive: leader !== null && currentIfSame(leader) !== null });
    } catch (error) {
      fail(`ledger entry ${row.id}`, error);
    }
  }
}

/** A report's action as the stop's outcome; a dry run's would-kill reached nothing. */
function outcomeOf(action: ReportTarget["action"]): TerminateOutcome {
  return action === "would-kill" || action === "zombie" ? "gone" : action;
}
