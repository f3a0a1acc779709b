// The reap history summed up (`supervise stats`): pure functions over stored runs.

import type { HistoryRun } from "./history.ts";
import { cleanedCount, type ReapCounts } from "./report.ts";

export interface RunSummary {
  id: number;
  at: string;
  trigger: string;
  session: string | null;
  dryRun: boolean;
  scanned: number;
  durationMs: number;
  /** Processes this run ended (terminated + killed); 0 for a dry run. */
  cleaned: number;
  counts: ReapCounts;
  errors: number;
}

export interface HistoryStats {
  /** Sweeps that could end something (dry runs are counted apart). */
  runs: number;
  dryRuns: number;
  totalCleaned: number;
  averagePerRun: number;
  /** The reason behind most cleaned targets; null before anything was cleaned. */
  mostCommonReason: string | null;
  reasons: Record<string, number>;
  perRun: RunSummary[];
}

export function historyStats(history: readonly HistoryRun[]): HistoryStats {
  const real = history.filter((run) => !run.dryRun);
  const reasons: Record<string, number> = {};
  for (const run of real) {
    for (const target of run.report.targets) {
      if (target.action === "terminated" || target.action === "killed") reasons[target.reason] = (reasons[target.reason] ?? 0) + 1;
    }
  }
  const totalCleaned = real.reduce((sum, run) => sum + cleanedCount(run.report.counts), 0);
  return {
    runs: real.length,
    dryRuns: history.length - real.length,
    totalCleaned,
    averagePerRun: real.length ? Math.round((totalCleaned / real.length) * 100) / 100 : 0,
    mostCommonReason: mostCommon(reasons),
    reasons,
    perRun: history.map(toRow),
  };
}

/** Ties go to the name that sorts first, so the answer does not depend on history order. */
function mostCommon(counts: Record<string, number>): string | null {
  const ranked = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return ranked[0]?.[0] ?? null;
}

function toRow(run: HistoryRun): RunSummary {
  return {
    id: run.id,
    at: new Date(run.at).toISOString(),
    trigger: run.trigger,
    session: run.session,
    dryRun: run.dryRun,
    scanned: run.report.scanned,
    durationMs: run.report.durationMs,
    cleaned: run.dryRun ? 0 : cleanedCount(run.report.counts),
    counts: run.report.counts,
    errors: run.report.errors.length,
  };
}
