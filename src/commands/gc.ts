// `supervise gc [--older-than DUR] [--dry-run] [--yes] [--json]`: drop finished entries (all of
// them, or those that ended more than DUR ago) and their captured output. Running entries are
// never touched. A bare `gc` at a terminal names what it would remove and asks first.

import type { Database } from "bun:sqlite";
import { warnLedgerMovedAside, writeJson, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { isTerminal } from "../cli/terminal.ts";
import { SuperviseError } from "../errors.ts";
import { collectGarbage, type GcResult } from "../entry/gc.ts";
import { closeSettingAside, describe, existingLedger, isCorruption } from "../ledger/open.ts";
import { printable } from "../render/table.ts";
import { stateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";

export default async function gc(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { "older-than": { value: true }, "dry-run": {}, yes: { short: "y" }, json: {} }, { positionals: 0 });
  const dryRun = options["dry-run"] === true;
  const olderThan = stringOption(options, "older-than");
  const ageMs = olderThan === undefined ? 0 : parseDuration(olderThan, "--older-than");
  const now = Date.now();
  // `--older-than none`: nothing is old enough.
  const endedBefore = Number.isFinite(ageMs) ? now - ageMs : Number.NEGATIVE_INFINITY;
  const empty: GcResult = { markedLost: [], removed: [], strayOutputs: 0 };
  const dir = stateDir();
  const db = existingLedger(dir, { onMovedAside: warnLedgerMovedAside });
  const rule = { endedBefore, keepFinished: Number.MAX_SAFE_INTEGER };
  // Everything, asked for by a person: what goes is named first, and only a yes removes it.
  const asks = db !== null && olderThan === undefined && !dryRun && !options.json && options.yes !== true && (await isTerminal(0)) && (await isTerminal(1));
  if (asks && !(await confirmed(collectOrSay(dir, db, () => collectGarbage(db, dir, rule, now, true))))) return 0;
  const result = db ? collectOrSay(dir, db, () => collectGarbage(db, dir, rule, now, dryRun)) ?? empty : empty;
  if (options.json) {
    await writeJson(dryRun ? { ...result, dryRun } : result);
    return 0;
  }
  const lost = result.markedLost.length ? ` (${result.markedLost.length} found lost first)` : "";
  const stray = result.strayOutputs ? `, ${strayCount(result.strayOutputs)}` : "";
  const count = entryCount(result.removed.length);
  // A dry run names what it would remove: a person reads it before removing everything.
  if (dryRun) await writeOut(`dry run: would remove ${count}${lost}${stray}${result.removed.length ? `: ${result.removed.join(" ")}` : ""}\n`);
  else await writeOut(`removed ${count}${lost}${stray}\n`);
  return 0;
}

const entryCount = (n: number) => `${n} finished entr${n === 1 ? "y" : "ies"}`;
const strayCount = (n: number) => `${n} stray output file${n === 1 ? "" : "s"}`;

/** Names what would go and reads the answer; nothing to remove needs no question. The rule's fixed `now` keeps what ends meanwhile. */
async function confirmed(plan: GcResult | null): Promise<boolean> {
  if (!plan || (plan.removed.length === 0 && plan.strayOutputs === 0)) return true;
  const count = entryCount(plan.removed.length);
  const entries = plan.removed.length ? `${count} and their output: ${plan.removed.join(" ")}` : count;
  const strays = plan.strayOutputs ? `${plan.removed.length ? "\nand " : ", and "}${strayCount(plan.strayOutputs)} (of entries no ledger row names)` : "";
  await writeOut(`would remove ${entries}${strays}\nremove them? [y/N] `);
  let answer = "";
  for await (const line of console) {
    answer = line;
    break;
  }
  if (/^\s*y(es)?\s*$/i.test(answer)) return true;
  await writeOut("nothing removed\n");
  return false;
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
