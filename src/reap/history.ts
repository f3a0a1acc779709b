// The reap history: one row per sweep in the ledger database, the newest `historySize` kept.

import type { Database } from "bun:sqlite";
import type { ReapReport } from "./report.ts";

export type ReapTrigger = "manual" | "session-start" | "pre-tool-use";

export interface HistoryRun {
  id: number;
  at: number;
  trigger: ReapTrigger;
  session: string | null;
  dryRun: boolean;
  report: ReapReport;
}

interface ReapRunRow {
  id: number;
  at: number;
  trigger: ReapTrigger;
  session: string | null;
  dry_run: number;
  scanned: number;
  duration_ms: number;
  terminated: number;
  killed: number;
  gone: number;
  failed: number;
  zombies: number;
  targets: string;
  errors: string | null;
}

export function appendRun(db: Database, at: number, trigger: ReapTrigger, session: string | null, report: ReapReport, keep: number): void {
  db.transaction(() => {
    db.query(
      `INSERT INTO reap_runs (at, trigger, session, dry_run, scanned, duration_ms, terminated, killed, gone, failed, zombies, targets, errors)
       VALUES (:at, :trigger, :session, :dry_run, :scanned, :duration_ms, :terminated, :killed, :gone, :failed, :zombies, :targets, :errors)`,
    ).run({
      at,
      trigger,
      session,
      dry_run: report.dryRun ? 1 : 0,
      scanned: report.scanned,
      duration_ms: report.durationMs,
      ...report.counts,
      targets: JSON.stringify(report.targets),
      errors: report.errors.length ? JSON.stringify(report.errors) : null,
    });
    db.query("DELETE FROM reap_runs WHERE id NOT IN (SELECT id FROM reap_runs ORDER BY id DESC LIMIT :keep)").run({ keep: Math.max(1, keep) });
  }).immediate();
}

/** Oldest first. */
export function listRuns(db: Database): HistoryRun[] {
  const rows = db.query("SELECT * FROM reap_runs ORDER BY id").all() as ReapRunRow[];
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    trigger: row.trigger,
    session: row.session,
    dryRun: row.dry_run === 1,
    report: {
      scanned: row.scanned,
      durationMs: row.duration_ms,
      dryRun: row.dry_run === 1,
      targets: JSON.parse(row.targets),
      counts: { terminated: row.terminated, killed: row.killed, gone: row.gone, failed: row.failed, zombies: row.zombies },
      errors: row.errors ? JSON.parse(row.errors) : [],
    },
  }));
}
