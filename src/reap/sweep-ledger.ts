// What a sweep reads from and writes to the ledger: opened within the sweep's budget, and
// without a ledger (it could not be opened) every write is a step that does nothing.

import type { Database } from "bun:sqlite";
import { recordEnd, requestStop } from "../ledger/entries.ts";
import { entryRef } from "../entry/liveness.ts";
import { currentIfSame } from "../proc/identity.ts";
import { removeFinished } from "../entry/gc.ts";
import { removeOldSessions } from "../ledger/sessions.ts";
import { bootId } from "../proc/boot.ts";
import { openLedger } from "../ledger/open.ts";
import { ensureStateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";
import { appendRun } from "./history.ts";
import type { TerminateOutcome } from "../stop/engine.ts";
import type { Plan } from "./plan.ts";
import type { ReapReport, ReportTarget } from "./report.ts";
import type { SweepOptions } from "./sweep.ts";

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
  close(): void;
}

export function sweepLedger(db: Database | null, options: SweepOptions, fail: Fail): SweepLedger {
  if (db === null) return { db, markStops() {}, recordEnds() {}, collectGarbage() {}, appendRun() {}, close() {} };
  const writes = !options.dryRun;
  return {
    db,
    markStops(plan) {
      if (writes) markStops(db, plan, fail);
    },
    recordEnds(plan, targets) {
      if (writes) recordEntryEnds(db, plan, targets, fail);
    },
    collectGarbage(carried) {
      if (writes) autoGc(db, options, carried, fail);
    },
    appendRun(started, report) {
      try {
        appendRun(db, started, options.trigger, options.triggerSession, report, options.config.reap.historySize);
      } catch (error) {
        fail("history", error);
      }
    },
    close: () => db.close(),
  };
}

export function openForSweep(dir: string, timeoutMs: number, fail: Fail): Database | null {
  try {
    ensureStateDir(dir);
    // Never wait for the ledger lock longer than a fraction of the whole budget.
    return openLedger(dir, { busyTimeoutMs: Math.min(2_000, Math.floor(timeoutMs / 3)) }).db;
  } catch (error) {
    fail("ledger", error);
    return null;
  }
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
