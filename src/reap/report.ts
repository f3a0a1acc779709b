// The sweep's report: the JSON object of the contract, and a short summary for people.

import type { TargetReason } from "./plan.ts";

export type ReportAction = "would-kill" | "terminated" | "killed" | "gone" | "failed" | "zombie";

export interface ReportTarget {
  pid: number;
  pgid: number;
  name: string;
  command: string;
  /** The command line as its words (`command` is them joined); null when unreadable. */
  argv: string[] | null;
  reason: TargetReason;
  ageSeconds: number;
  ledgerId: string | null;
  action: ReportAction;
  signal: string | null;
  /** From the first signal until it was seen gone. */
  durationMs: number | null;
  /** Present and true when it was still alive as the time budget ran out. */
  pending?: true;
}

export interface ReapCounts {
  terminated: number;
  killed: number;
  gone: number;
  failed: number;
  zombies: number;
}

export interface ReapReport {
  scanned: number;
  durationMs: number;
  dryRun: boolean;
  targets: ReportTarget[];
  counts: ReapCounts;
  /** What went wrong inside the sweep; with gracefulDegradation the exit status stays 0. */
  errors: string[];
}

export function countActions(targets: readonly ReportTarget[]): ReapCounts {
  const counts: ReapCounts = { terminated: 0, killed: 0, gone: 0, failed: 0, zombies: 0 };
  for (const t of targets) {
    if (t.action === "zombie") counts.zombies++;
    else if (t.action !== "would-kill") counts[t.action]++;
  }
  return counts;
}

/** Processes the sweep ended (zombies and dry runs never count). */
export function cleanedCount(counts: ReapCounts): number {
  return counts.terminated + counts.killed;
}
