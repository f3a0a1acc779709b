// One entry in full (`supervise show`): every recorded field, how long it ran, and the
// processes of it that are alive now.

import { hasOutput, outputPath } from "../capture/files.ts";
import { findEntryProcesses, scanProcesses } from "../proc/scan.ts";
import { sameBoot } from "../proc/identity.ts";
import { uptimeTicks } from "../proc/boot.ts";
import { describeTree, type ProcessView } from "../proc/tree.ts";
import type { EntryRow, EntryState } from "../ledger/entries.ts";
import { entryRef, isFinished } from "./liveness.ts";
import { toJson, type EntryJson } from "./view.ts";

export interface EntryDetail extends EntryJson {
  durationMs: number;
  graceMs: number | null;
  firstSignal: string;
  keepOrphaned: boolean;
  bootId: string;
  startTicks: number | null;
  wrapperStartTicks: number | null;
  /** The captured output file, when the entry ran with --capture. */
  output: string | null;
  processes: ProcessView[];
}

export function entryDetail(row: EntryRow, state: EntryState, stateDir: string, now = Date.now()): EntryDetail {
  return {
    ...toJson(row, state),
    durationMs: Math.max(0, (row.ended_at ?? now) - row.started_at),
    graceMs: row.grace_ms,
    firstSignal: row.first_signal,
    keepOrphaned: row.keep_orphaned === 1,
    bootId: row.boot_id,
    startTicks: row.start_ticks,
    wrapperStartTicks: row.wrapper_start_ticks,
    output: hasOutput(stateDir, row.id) ? outputPath(stateDir, row.id) : null,
    // An `unknown` entry's pids were recorded in another pid namespace: here they name other processes.
    processes: isFinished(state) || state === "unknown" || !sameBoot(row.boot_id) ? [] : liveProcesses(row),
  };
}

function liveProcesses(row: EntryRow): ProcessView[] {
  const found = findEntryProcesses(entryRef(row), scanProcesses());
  return describeTree(
    [...found.members.map((stat) => ({ stat, via: "group" as const })), ...found.carriers.map((stat) => ({ stat, via: "cookie" as const }))],
    uptimeTicks(),
  );
}
