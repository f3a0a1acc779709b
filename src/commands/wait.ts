// `supervise wait ID... [--timeout DUR] [--json]`: block until every entry has ended, however
// it ended (its wrapper, `kill`, or the reaper finishing an orphan), then exit with the last
// one's status the way its wrapper did. --timeout: 124, like GNU timeout.

import type { Database } from "bun:sqlite";
import { writeErr, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { getEntry, type EntryRow } from "../ledger/entries.ts";
import { existingLedger } from "../ledger/read.ts";
import { resolveEntries } from "../ledger/resolve.ts";
import { exitStatusOf, STATUS_UNKNOWN } from "../ledger/status.ts";
import { isFinished, liveStates, toJson } from "../ledger/view.ts";
import { stateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";

/** Polling starts here and backs off to POLL_MAX_MS: a quick command returns quickly, a long wait costs ~2 reads a second. */
const POLL_MIN_MS = 25;
export const POLL_MAX_MS = 500;

export default async function wait(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { timeout: { short: "t", value: true }, json: {} });
  if (positionals.length === 0) throw new UsageError("missing entry id (usage: supervise wait ID... [--timeout DUR])");
  const timeoutText = stringOption(options, "timeout");
  const timeoutMs = timeoutText === undefined ? Number.POSITIVE_INFINITY : parseDuration(timeoutText, "--timeout");
  const until = Date.now() + timeoutMs;

  const db = existingLedger(stateDir());
  if (!db) throw new UsageError(`no entry '${positionals[0]}'`);
  const ids = resolveEntries(db, positionals).map((row) => row.id);
  const ended = await waitForEnds(db, ids, until);
  const pending = ids.filter((id) => !ended.has(id));
  if (options.json) await writeOut(`${JSON.stringify(ids.map((id) => ended.get(id)?.json ?? { id, state: "running" }), null, 2)}\n`);
  if (pending.length) {
    await writeErr(`supervise: wait: timed out after ${timeoutText}; still running: ${pending.join(", ")}\n`);
    return 124;
  }
  return ended.get(ids.at(-1)!)!.status;
}

interface Ended {
  status: number;
  json: ReturnType<typeof toJson> | { id: string; state: "removed" };
}

async function waitForEnds(db: Database, ids: readonly string[], until: number): Promise<Map<string, Ended>> {
  const ended = new Map<string, Ended>();
  let delay = POLL_MIN_MS;
  for (;;) {
    for (const id of ids) {
      if (ended.has(id)) continue;
      const row = getEntry(db, id);
      if (row === null) ended.set(id, { status: STATUS_UNKNOWN, json: { id, state: "removed" } });
      else checkEnded(row, ended);
    }
    if (ended.size === ids.length || Date.now() >= until) return ended;
    await Bun.sleep(Math.min(delay, Math.max(1, until - Date.now())));
    delay = Math.min(delay * 2, POLL_MAX_MS);
  }
}

/** Ended when recorded so, or when wrapper and processes are all gone (lost). */
function checkEnded(row: EntryRow, ended: Map<string, Ended>): void {
  // A stored end needs no look at /proc; a `running` row is checked live.
  const state = row.ended_at !== null ? row.state : liveStates([row])[0]!;
  if (isFinished(state)) ended.set(row.id, { status: exitStatusOf(row, state), json: toJson(row, state) });
}
