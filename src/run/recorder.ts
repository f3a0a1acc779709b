// The wrapper's record keeping: ledger rows and log lines. A ledger that cannot be written
// never stops the command, and a write that failed is not dropped: what the wrapper knows
// (the entry, its pid, its end) is written again while the command runs, and once more,
// patiently, before the wrapper exits. A ledger found corrupt on any write is moved aside
// and recreated; one deleted or truncated meanwhile gets the entry again. Only a ledger
// that cannot take it at all (read-only, full, not a regular file), or one still locked
// when the wrapper must exit, costs the run its record, with exactly one warning line.

import type { Database } from "bun:sqlite";
import type { EntryActivity } from "../activity/record.ts";
import { insertEntry, recordActivity, recordEnd, recordSpawned, type EntryEnd, type NewEntry } from "../ledger/entries.ts";
import { describe, isContention, isCorruption, isEmptyLedger, ledgerPath, ledgerReplaced, openLedger, setAsideCorrupt } from "../ledger/open.ts";
import type { Logger } from "../log.ts";
import { ensureStateDir } from "../state-dir.ts";
import { withRecordedOwner } from "./owner.ts";
import { ringNews } from "../ledger/news.ts";
import { TOLD_STATES } from "../activity/state.ts";

export interface Recorder {
  started(entry: NewEntry): void;
  spawned(pid: number, pgid: number, startTicks: number | null): void;
  /** Best effort, once: a judgement not written is followed by the next. */
  /** `changed`: a new state (a told one rings its session's bell); false: the same state's facts again. */
  activity(activity: EntryActivity, changed: boolean): void;
  ended(end: EntryEnd): void;
}

/** The wrapper waits at most this long for another writer before launching without the row. */
export const WRAPPER_BUSY_TIMEOUT_MS = 3_000;
/** While the command runs, each try again waits at most this long: the wait holds the wrapper's signal handlers back. */
const RETRY_BUSY_MS = 250;
/** Tries again while the command runs: first after about this long, then twice as long each time, up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;
/** What is not written by the command's end is tried for this long before the wrapper exits. */
export const END_PATIENCE_MS = 15_000;
/** A wrapper that was signalled is being asked to go: only this long. */
const SIGNALLED_PATIENCE_MS = 1_000;
/** A run still not recorded after this long says so, and goes on trying. */
const WARN_AFTER_MS = 10_000;

export interface RecorderTiming {
  endPatienceMs?: number;
  warnAfterMs?: number;
}

interface Launch {
  pid: number;
  pgid: number;
  startTicks: number | null;
}

export function ledgerRecorder(stateDir: string, log: Logger, warn: (message: string) => void, timing: RecorderTiming = {}): Recorder {
  const endPatienceMs = timing.endPatienceMs ?? END_PATIENCE_MS;
  const warnAfterMs = timing.warnAfterMs ?? WARN_AFTER_MS;
  let entry: NewEntry | null = null;
  /** The session's recorded agent was looked up for the entry (withRecordedOwner), once. */
  let ownerLooked = false;
  let launch: Launch | null = null;
  let end: EntryEnd | null = null;
  /** What the ledger holds of the run. */
  const written = { entry: false, launch: false, end: false };
  let db: Database | null = null;
  /** A ledger that cannot take the run at all: nothing more is tried. */
  let gaveUp = false;
  let failingSince: number | null = null;
  let lastError: unknown = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = RETRY_FIRST_MS;
  const said = new Set<string>();
  /** This try moved a corrupt ledger aside: that warning says why the row is written again. */
  let movedNow = false;
  const sayOnce = (what: string, message: string) => {
    if (said.has(what)) return;
    said.add(what);
    warn(message);
  };

  const close = () => {
    db?.close();
    db = null;
  };
  const pending = () => entry !== null && (!written.entry || (launch !== null && !written.launch) || (end !== null && !written.end));

  /** The connection to write with: opened again when the path names another file by now. */
  const connection = (busyMs: number): Database => {
    if (db && ledgerReplaced(stateDir, db)) {
      log.warn({ id: entry?.id, path: ledgerPath(stateDir) }, "the ledger file was replaced");
      close();
    }
    if (!db) {
      ensureStateDir(stateDir);
      const opened = openLedger(stateDir, { busyTimeoutMs: busyMs });
      db = opened.db;
      if (opened.movedAside) setAside(opened.movedAside, opened.emptied === true);
    }
    db.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyMs))}`);
    return db;
  };
  /** A ledger moved aside: a corrupt one says so; one emptied (truncated) is said by the write that follows, as for a deleted ledger. */
  const setAside = (target: string, emptied: boolean) => {
    if (emptied) {
      log.warn({ id: entry?.id, movedTo: target }, "ledger emptied under its WAL: what was left moved aside");
      return;
    }
    movedNow = true;
    sayOnce("corrupt", `the ledger was corrupt; moved it to ${target} and started a new one`);
    log.warn({ id: entry?.id, movedTo: target }, "corrupt ledger moved aside");
  };
  const sayUnwritten = (error: unknown) => sayOnce("unwritten", `ledger not written (${describe(error)}); the command runs unrecorded`);

  /**
   * Everything known and not yet written, in one transaction: the row (again, when the ledger
   * lost it: deleted, truncated, moved aside), the pid, the end. True when the row had to be
   * written again.
   */
  const writePending = (db: Database, e: NewEntry): boolean =>
    db.transaction(() => {
      const present = db.query("SELECT 1 AS present FROM entries WHERE id = ?").get(e.id) !== null;
      if (!present) {
        if (!ownerLooked) {
          entry = withRecordedOwner(db, e);
          ownerLooked = true;
        }
        insertEntry(db, entry!);
      }
      if (launch && (!present || !written.launch)) recordSpawned(db, e.id, launch.pid, launch.pgid, launch.startTicks);
      if (end && !written.end) recordEnd(db, e.id, end);
      return !present && written.entry;
    }).immediate();

  /** One try at writing what is pending; true when nothing is left to write. */
  const writeOnce = (busyMs: number): boolean => {
    if (gaveUp || !entry) return !pending();
    movedNow = false;
    // A corrupt ledger is moved aside and the write made in the new one, once.
    for (let healed = 0; ; healed++) {
      try {
        const again = writePending(connection(busyMs), entry);
        written.entry = true;
        written.launch = launch !== null;
        written.end = end !== null;
        if (again && !movedNow) {
          sayOnce("replaced", `the ledger ${ledgerPath(stateDir)} was deleted, truncated or replaced while the command ran; its entry ${entry.id} is recorded again in the new one`);
        }
        if (again) log.warn({ id: entry.id }, "entry written again: the ledger lost it");
        if (failingSince !== null) log.info({ id: entry.id, afterMs: Date.now() - failingSince }, "ledger written after all");
        failingSince = null;
        return true;
      } catch (error) {
        if (isCorruption(error) && db && healed === 0) {
          // Truncated under us rather than damaged: the write below says so, as for a deleted ledger.
          const truncated = isEmptyLedger(ledgerPath(stateDir));
          const target = setAsideCorrupt(stateDir, db);
          close();
          if (target) setAside(target, truncated);
          continue;
        }
        close();
        lastError = error;
        if (!isContention(error)) {
          giveUp("write", error);
          return false;
        }
        failingSince ??= Date.now();
        log.warn({ id: entry.id, err: describe(error) }, "ledger write failed; trying again");
        return false;
      }
    }
  };
  const giveUp = (what: string, error: unknown) => {
    gaveUp = true;
    close();
    log.error({ id: entry?.id, err: describe(error) }, `ledger ${what} failed`);
    sayUnwritten(error);
  };

  /** Tries again later, while the command runs; after WARN_AFTER_MS of failing, says so once. */
  const retryLater = () => {
    if (retry || gaveUp || end || !pending()) return;
    const delay = retryDelay / 2 + Math.random() * retryDelay;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    retry = setTimeout(() => {
      retry = null;
      if (writeOnce(RETRY_BUSY_MS)) {
        // A waiting wrapper holds no connection (nor its page cache).
        if (!end) close();
        return;
      }
      if (failingSince !== null && Date.now() - failingSince >= warnAfterMs) {
        sayUnwritten(lastError);
      }
      retryLater();
    }, delay);
    // Retrying must never keep a wrapper whose command has ended alive.
    retry.unref?.();
  };

  return {
    started(e) {
      entry = e;
      try {
        if (!writeOnce(WRAPPER_BUSY_TIMEOUT_MS)) retryLater();
      } catch (error) {
        giveUp("insert", error);
      }
    },
    spawned(pid, pgid, startTicks) {
      launch = { pid, pgid, startTicks };
      if (gaveUp || !entry) return;
      try {
        // Only the pid is new: the usual wait. A row not written yet is left to the retries, not waited for here.
        if (writeOnce(written.entry ? WRAPPER_BUSY_TIMEOUT_MS : RETRY_BUSY_MS)) close();
        else retryLater();
      } catch (error) {
        giveUp("update", error);
      }
    },
    activity(activity, changed) {
      if (gaveUp || !entry || !written.entry || end) return;
      try {
        recordActivity(connection(RETRY_BUSY_MS), entry.id, JSON.stringify(activity), changed && TOLD_STATES.has(activity.state));
      } catch (error) {
        log.warn({ id: entry.id, err: describe(error) }, "activity not recorded");
      } finally {
        // A waiting wrapper holds no connection (nor its page cache).
        close();
      }
    },
    ended(e) {
      end = e;
      if (retry) clearTimeout(retry);
      retry = null;
      if (gaveUp || !entry) return;
      const patience = e.by === "wrapper" && e.stop === "signal" ? SIGNALLED_PATIENCE_MS : endPatienceMs;
      const until = Date.now() + patience;
      try {
        for (;;) {
          const left = until - Date.now();
          if (writeOnce(Math.max(0, Math.min(WRAPPER_BUSY_TIMEOUT_MS, left)))) {
            // The end was written inside writePending's transaction: its session's bell rings now, committed.
            ringNews(stateDir, entry.session);
            break;
          }
          if (gaveUp) break;
          if (Date.now() >= until) {
            giveUp("end", lastError);
            break;
          }
          // Jittered, so wrappers that collided do not collide again in step.
          Bun.sleepSync(10 + Math.floor(Math.random() * 50));
        }
      } catch (error) {
        giveUp("end", error);
      }
      // Not closed: the process exits next, and Bun closes the database then.
      db = null;
    },
  };
}
