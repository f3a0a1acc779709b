// `supervise wait ID... | --session ID | --all [--timeout DUR] [--json]`: block until every
// entry named (or every one running at the start, of the session or at all) has ended, however
// it ended (its wrapper, `kill`, or the reaper finishing an orphan), then exit with the last
// one's status the way its wrapper did. --timeout: 124, like GNU timeout. An entry recorded
// in another pid namespace (`unknown` here) has ended only when its end is recorded.

import type { Database } from "bun:sqlite";
import { writeErr, writeJson } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { entriesById, listEntries, type EntryRow } from "../ledger/entries.ts";
import { ledgerChanges } from "../ledger/changes.ts";
import { existingLedger, isCorruption, isIoError, isSqliteError, ledgerReplaced, readingLedger } from "../ledger/open.ts";
import { ledgerForIds, resolveEntries, resolveSessionOption } from "../ledger/resolve.ts";
import { exitStatusOf, STATUS_UNKNOWN } from "../entry/status.ts";
import { currentState, inRecordedNamespace, isFinished, wrapperAlive } from "../entry/liveness.ts";
import { toJson } from "../entry/view.ts";
import { stateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";

/**
 * Checks start 25 ms apart and back off: to 5 s between checks while ledger writes wake us
 * (ledger/changes.ts), to 500 ms when no events can arrive.
 */
const POLL_MIN_MS = 25;
const POLL_MAX_WATCHED_MS = 5_000;
const POLL_MAX_UNWATCHED_MS = 500;
/**
 * An entry found lost (wrapper and processes gone, no end recorded) counts as ended only
 * when it stays so this long: whoever just ended it (`kill`, the reaper) records the real
 * end a moment after the last process died.
 */
const LOST_SETTLE_MS = 1_000;

export default async function wait(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { timeout: { short: "t", value: true }, session: { value: true }, all: { short: "a" }, json: {} });
  const session = stringOption(options, "session");
  const selectors = [positionals.length > 0, session !== undefined, options.all === true].filter(Boolean).length;
  if (selectors !== 1) throw new UsageError("name what to wait for: entry ids, --session ID or --all (exactly one of them)");
  const timeoutText = stringOption(options, "timeout");
  const timeoutMs = timeoutText === undefined ? Number.POSITIVE_INFINITY : parseDuration(timeoutText, "--timeout");
  const until = Date.now() + timeoutMs;

  const dir = stateDir();
  const { ids, ended, unknown } = await readingLedger(dir, async () => {
    const db = ledgerForIds(dir, positionals);
    const named = positionals.length ? undefined : resolveSessionOption(db, session);
    // --session and --all: what runs now; nothing running is nothing to wait for (exit 0).
    const rows = !db ? [] : positionals.length ? resolveEntries(db, positionals) : listEntries(db, { session: named });
    const ids = rows.map((row) => row.id);
    return { ids, ...(db && ids.length ? await waitForEnds(db, dir, ids, until) : { ended: new Map<string, Ended>(), unknown: new Set<string>() }) };
  });
  const pending = ids.filter((id) => !ended.has(id));
  const stateOf = (id: string) => (unknown.has(id) ? "unknown" : "running");
  if (options.json) await writeJson(ids.map((id) => ended.get(id)?.json ?? { id, state: stateOf(id) }));
  if (pending.length) {
    await writeErr(`supervise: wait: timed out after ${timeoutText}; ${describePending(pending, unknown)}\n`);
    return 124;
  }
  return ids.length ? ended.get(ids.at(-1)!)!.status : 0;
}

/** The ids not ended: still running, or (recorded in another pid namespace) with no end recorded yet. */
function describePending(pending: readonly string[], unknown: ReadonlySet<string>): string {
  const running = pending.filter((id) => !unknown.has(id));
  const elsewhere = pending.filter((id) => unknown.has(id));
  const parts = [running.length ? `still running: ${running.join(", ")}` : "", elsewhere.length ? `no end recorded yet (another pid namespace): ${elsewhere.join(", ")}` : ""];
  return parts.filter(Boolean).join("; ");
}

interface Ended {
  status: number;
  json: ReturnType<typeof toJson> | { id: string; state: "removed" };
}

interface Waited {
  ended: Map<string, Ended>;
  /** Pending ids last seen `unknown`: recorded in another pid namespace. */
  unknown: Set<string>;
}

async function waitForEnds(opened: Database, dir: string, ids: readonly string[], until: number): Promise<Waited> {
  let db = opened;
  const ended = new Map<string, Ended>();
  const unknown = new Set<string>();
  const lostSince = new Map<string, number>();
  const changes = ledgerChanges(dir);
  const maxDelay = changes.watching ? POLL_MAX_WATCHED_MS : POLL_MAX_UNWATCHED_MS;
  let delay = POLL_MIN_MS;
  let rows = new Map<string, EntryRow>();
  /** Each entry as last read: a row missing from a new ledger is written again by its wrapper, while it lives. */
  const seen = new Map<string, EntryRow>();
  let changed = true;
  try {
    for (;;) {
      const now = Date.now();
      const pending = ids.filter((id) => !ended.has(id));
      // With no ledger write since the last look, the rows are as read then; only a wrapper
      // that died without writing (SIGKILL, OOM) can have ended something, and its /proc
      // file shows that. Skipping the query keeps the idle check to ten small reads.
      if (changed || lostSince.size > 0 || !wrappersStillRunning(pending, rows)) {
        // A ledger deleted or replaced meanwhile: its wrappers record their ends in the new one.
        if (ledgerReplaced(dir, db)) db = reopened(dir, db, pending, seen);
        const read = readPending(dir, db, pending, seen);
        rows = new Map((read ?? []).map((row) => [row.id, row]));
        for (const id of read ? pending : []) {
          const row = rows.get(id) ?? missing(db, seen.get(id));
          if (row === "pending") continue;
          // Removed (gc) while we waited: ended, status unknown.
          if (!row) ended.set(id, { status: STATUS_UNKNOWN, json: { id, state: "removed" } });
          else checkEnded(row, ended, lostSince, now, unknown);
          if (row) seen.set(id, row);
        }
      }
      if (ended.size === ids.length || now >= until) return { ended, unknown };
      const settling = lostSince.size ? LOST_SETTLE_MS : Number.POSITIVE_INFINITY;
      changed = (await changes.next(Math.min(delay, settling, Math.max(1, until - Date.now())))) || !changes.watching;
      delay = Math.min(delay * 2, maxDelay);
    }
  } finally {
    changes.close();
  }
}

/**
 * The pending rows; null for a ledger that reads as corrupt, or fails a read once its path
 * names another file (deleted, its -wal moved aside under our connection: SQLITE_IOERR),
 * while a wrapper waited for lives: that wrapper writes its entry in the new ledger
 * (src/run/recorder.ts), read at the next check. Else: the one line (exit 1).
 */
function readPending(dir: string, db: Database, pending: readonly string[], seen: ReadonlyMap<string, EntryRow>): EntryRow[] | null {
  try {
    return entriesById(db, pending);
  } catch (error) {
    if (healerLives(pending, seen) && (isCorruption(error) || isIoError(error) || (isSqliteError(error) && ledgerReplaced(dir, db)))) return null;
    throw error;
  }
}

/**
 * The ledger that now has the path. While a wrapper waited for lives, one that fails to open
 * (its writer is still setting it up, moving a stale -wal aside: SQLITE_IOERR) is tried again
 * at the next check, through the old connection meanwhile.
 */
function reopened(dir: string, db: Database, pending: readonly string[], seen: ReadonlyMap<string, EntryRow>): Database {
  try {
    return existingLedger(dir) ?? db;
  } catch (error) {
    if (healerLives(pending, seen) && isSqliteError(error)) return db;
    throw error;
  }
}

/** A wrapper of the entries waited for lives: it writes its entry and end into whatever ledger has the path. */
function healerLives(pending: readonly string[], seen: ReadonlyMap<string, EntryRow>): boolean {
  return pending.some((id) => {
    const row = seen.get(id);
    return row !== undefined && wrapperAlive(row) === true;
  });
}

/**
 * An entry whose row is not in the ledger: "pending" while its wrapper lives (the ledger was
 * deleted or replaced under it, and it writes the row again at its end); once the wrapper is
 * gone, the row as read once more (what it wrote before it exited), or null: removed.
 */
function missing(db: Database, last: EntryRow | undefined): EntryRow | null | "pending" {
  if (last === undefined) return null;
  if (wrapperAlive(last) === true) return "pending";
  return entriesById(db, [last.id])[0] ?? null;
}

/**
 * Every pending entry was running when last read and its wrapper is still that process. Not
 * one recorded in another pid namespace: only the ledger tells its end, and the events of a
 * write can all arrive before its commit shows, so it is read again at every check.
 */
function wrappersStillRunning(pending: readonly string[], rows: ReadonlyMap<string, EntryRow>): boolean {
  return pending.every((id) => {
    const row = rows.get(id);
    if (row === undefined || row.ended_at !== null || row.state !== "running") return false;
    return inRecordedNamespace({ namespace: row.pid_namespace }) === true && wrapperAlive(row) === true;
  });
}

/** Ended when recorded so, or when wrapper and processes have stayed gone (lost). */
function checkEnded(row: EntryRow, ended: Map<string, Ended>, lostSince: Map<string, number>, now: number, unknown: Set<string>): void {
  const state = currentState(row);
  if (state === "unknown") unknown.add(row.id);
  else unknown.delete(row.id);
  if (row.ended_at !== null) {
    lostSince.delete(row.id);
    ended.set(row.id, { status: exitStatusOf(row, state), json: toJson(row, state) });
    return;
  }
  if (!isFinished(state)) {
    lostSince.delete(row.id);
    return;
  }
  const since = lostSince.get(row.id) ?? now;
  lostSince.set(row.id, since);
  if (now - since < LOST_SETTLE_MS) return;
  lostSince.delete(row.id);
  ended.set(row.id, { status: exitStatusOf(row, state), json: toJson(row, state) });
}
