// Removing finished entries and their captured output: by hand (`supervise gc`) and at
// every sweep, so the ledger and output/ stay bounded. A running entry is never removed.

import type { Database } from "bun:sqlite";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { outputDir, removeOutput } from "../capture/files.ts";
import { deleteFinished, listEntries, recordLost, type GcRule } from "../ledger/entries.ts";
import { liveReader, liveState } from "./liveness.ts";

const STRAY_QUIET_MS = 3_600_000;

export interface GcResult {
  /** Entries recorded `lost` first: wrapper and processes gone, no end recorded. */
  markedLost: string[];
  removed: string[];
  /** Output files removed whose entry was not in the ledger (its row was never written). */
  strayOutputs: number;
}

export function collectGarbage(db: Database, stateDir: string, rule: GcRule, now = Date.now()): GcResult {
  const running = listEntries(db);
  const reader = liveReader();
  const markedLost: string[] = [];
  for (const row of running) {
    if (liveState(row, reader) === "lost" && recordLost(db, row.id, now)) markedLost.push(row.id);
  }
  // A stray file may belong to a command whose ledger row could not be written and that is
  // still running: only an hour without a write makes it stray.
  const strayBefore = Math.min(rule.endedBefore, now - STRAY_QUIET_MS);
  return { markedLost, removed: removeFinished(db, stateDir, rule), strayOutputs: removeStrayOutputs(db, stateDir, strayBefore) };
}

/** The cheap part, run at every sweep: finished rows by the rule, and their output files. */
export function removeFinished(db: Database, stateDir: string, rule: GcRule): string[] {
  const removed = deleteFinished(db, rule);
  for (const id of removed) removeOutput(stateDir, id);
  return removed;
}

/** Output files of ids the ledger does not know, untouched since `before`. */
function removeStrayOutputs(db: Database, stateDir: string, before: number): number {
  const dir = outputDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const known = db.query("SELECT 1 FROM entries WHERE id = :id");
  let count = 0;
  for (const name of names) {
    const id = name.replace(/\.log(\.1)?$/, "");
    if (id === name || known.get({ id })) continue;
    const path = join(dir, name);
    const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime !== undefined && mtime < before) {
      rmSync(path, { force: true });
      count++;
    }
  }
  return count;
}
