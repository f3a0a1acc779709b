// Removing finished entries and their captured output: by hand (`supervise gc`) and at
// every sweep, so the ledger and output/ stay bounded. A running entry is never removed, nor
// a finished one whose cookie a live process still carries.

import type { Database } from "bun:sqlite";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { outputDir, removeOutput } from "../capture/files.ts";
import { deleteFinished, finishedByRule, listEntries, recordLost, type FinishedRow, type GcRule } from "../ledger/entries.ts";
import { environVar } from "../ownership/cookie.ts";
import { bootId } from "../proc/boot.ts";
import { sameBoot } from "../proc/identity.ts";
import { COOKIE, scanProcesses } from "../proc/scan.ts";
import { inRecordedNamespace, liveReader, liveState } from "./liveness.ts";
import { readNow } from "../proc/facts.ts";

const STRAY_QUIET_MS = 3_600_000;

export interface GcResult {
  /** Entries recorded `lost` first: wrapper and processes gone, no end recorded. */
  markedLost: string[];
  removed: string[];
  /** Output files removed whose entry was not in the ledger (its row was never written). */
  strayOutputs: number;
}

/** `dryRun`: what would be recorded lost and removed, with nothing written or removed. */
export function collectGarbage(db: Database, stateDir: string, rule: GcRule, now = Date.now(), dryRun = false): GcResult {
  const running = listEntries(db);
  const reader = liveReader();
  const markedLost: string[] = [];
  for (const row of running) {
    if (liveState(row, reader) === "lost" && (dryRun || recordLost(db, row.id, now))) markedLost.push(row.id);
  }
  // A stray file may belong to a command whose ledger row could not be written and that is
  // still running: only an hour without a write makes it stray.
  const strayBefore = Math.min(rule.endedBefore, now - STRAY_QUIET_MS);
  if (dryRun) return { markedLost, removed: removableFinished(db, rule), strayOutputs: strayOutputs(db, stateDir, strayBefore).length };
  const strays = strayOutputs(db, stateDir, strayBefore);
  for (const path of strays) rmSync(path, { force: true });
  return { markedLost, removed: removeFinished(db, stateDir, rule), strayOutputs: strays.length };
}

/**
 * The cheap part, run at every sweep: finished rows by the rule, and their output files. A
 * row stays while a live process carries its cookie: what a --keep-orphaned entry left is
 * known by it (else it would fall to session-gone), and so is an escape. `carried`: the
 * cookies a sweep's snapshot saw; without it they are read here, only if a row may need them.
 */
export function removeFinished(db: Database, stateDir: string, rule: GcRule, carried?: ReadonlySet<string>): string[] {
  const removed = deleteFinished(db, removableFinished(db, rule, carried));
  for (const id of removed) removeOutput(stateDir, id);
  return removed;
}

/** The finished rows the rule takes and nothing keeps (a live cookie carrier, another pid namespace). */
function removableFinished(db: Database, rule: GcRule, carried?: ReadonlySet<string>): string[] {
  const candidates = finishedByRule(db, rule);
  const boot = bootId();
  // A process carrying an entry's cookie started after its wrapper, in the same boot.
  const since = candidates.reduce((min, row) => (sameBoot(row.boot_id, boot) ? Math.min(min, row.wrapper_start_ticks ?? row.start_ticks ?? 0) : min), Infinity);
  const live = carried ?? (Number.isFinite(since) ? cookiesCarried(since) : new Set<string>());
  // Recorded in another pid namespace of this boot: what carries its cookie may live where we cannot see.
  const elsewhere = (row: FinishedRow) => sameBoot(row.boot_id, boot) && inRecordedNamespace({ namespace: row.pid_namespace }) !== true;
  return candidates.filter((row) => !live.has(row.id) && !elsewhere(row)).map((row) => row.id);
}

/** The entry ids (SUPERVISE_ID) that live same-user processes started at or after `sinceTicks` carry: one pass over /proc. */
export function cookiesCarried(sinceTicks: number, ownUid = process.getuid?.() ?? -1): Set<string> {
  const ids = new Set<string>();
  for (const stat of scanProcesses()) {
    if (stat.startTicks < sinceTicks || stat.pid === process.pid || readNow.uid(stat.pid) !== ownUid) continue;
    const id = environVar(readNow.environ(stat.pid), COOKIE);
    if (id) ids.add(id);
  }
  return ids;
}

/** Output files of ids the ledger does not know, untouched since `before`: their paths. */
function strayOutputs(db: Database, stateDir: string, before: number): string[] {
  const dir = outputDir(stateDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const known = db.query("SELECT 1 FROM entries WHERE id = :id");
  const strays: string[] = [];
  for (const name of names) {
    const id = name.replace(/\.(log|times)(\.1)?$/, "");
    if (id === name || known.get({ id })) continue;
    const path = join(dir, name);
    const mtime = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime !== undefined && mtime < before) strays.push(path);
  }
  return strays;
}
