// `supervise gc [--older-than DUR] [--json]`: drop finished entries (all of them, or those
// that ended more than DUR ago) and their captured output. Running entries are never touched.

import type { Database } from "bun:sqlite";
import { warnLedgerMovedAside, writeJson, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { SuperviseError, UsageError } from "../errors.ts";
import { collectGarbage, type GcResult } from "../entry/gc.ts";
import { closeSettingAside, describe, existingLedger, isCorruption } from "../ledger/open.ts";
import { printable } from "../render/table.ts";
import { stateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";

export default async function gc(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { "older-than": { value: true }, "dry-run": {}, json: {} });
  const dryRun = options["dry-run"] === true;
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const olderThan = stringOption(options, "older-than");
  const ageMs = olderThan === undefined ? 0 : parseDuration(olderThan, "--older-than");
  const now = Date.now();
  // `--older-than none`: nothing is old enough.
  const endedBefore = Number.isFinite(ageMs) ? now - ageMs : Number.NEGATIVE_INFINITY;
  const empty: GcResult = { markedLost: [], removed: [], strayOutputs: 0 };
  const dir = stateDir();
  const db = existingLedger(dir, { onMovedAside: warnLedgerMovedAside });
  const result = db ? collectOrSay(dir, db, () => collectGarbage(db, dir, { endedBefore, keepFinished: Number.MAX_SAFE_INTEGER }, now, dryRun)) ?? empty : empty;
  if (options.json) {
    await writeJson(dryRun ? { ...result, dryRun } : result);
    return 0;
  }
  const lost = result.markedLost.length ? ` (${result.markedLost.length} found lost first)` : "";
  const stray = result.strayOutputs ? `, ${result.strayOutputs} stray output file${result.strayOutputs === 1 ? "" : "s"}` : "";
  const count = `${result.removed.length} finished entr${result.removed.length === 1 ? "y" : "ies"}`;
  // A dry run names what it would remove: a person reads it before removing everything.
  if (dryRun) await writeOut(`dry run: would remove ${count}${lost}${stray}${result.removed.length ? `: ${result.removed.join(" ")}` : ""}\n`);
  else await writeOut(`removed ${count}${lost}${stray}\n`);
  return 0;
}

/**
 * A ledger or state dir that cannot be written (read-only, full, locked past the busy
 * timeout) is one line and exit 1, like any failure that is not the command line's: what
 * was removed before it stays removed, each removal being its own transaction.
 */
function collectOrSay(dir: string, db: Database, collect: () => GcResult): GcResult | null {
  try {
    return collect();
  } catch (error) {
    // Pages found damaged past the open: moved aside as at open; a new ledger has nothing to collect.
    if (isCorruption(error)) {
      closeSettingAside(dir, db, warnLedgerMovedAside);
      return null;
    }
    if (!isWriteFailure(error)) throw error;
    throw new SuperviseError(`gc stopped: the state dir cannot be written (${printable(describe(error))})`, { cause: error });
  }
}

/** SQLite's errors, and the file system's refusals to write (removing output files). */
function isWriteFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_") || ["EROFS", "ENOSPC", "EDQUOT", "EACCES", "EPERM", "EIO"].includes(code));
}
