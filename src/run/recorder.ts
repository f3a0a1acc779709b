// The wrapper's record keeping: ledger rows and log lines. A ledger that cannot be
// written never stops the command; it costs exactly one warning line on stderr.

import type { Database } from "bun:sqlite";
import { insertEntry, recordEnd, recordSpawned, type EntryEnd, type NewEntry } from "../ledger/entries.ts";
import { describe, openLedger } from "../ledger/open.ts";
import type { Logger } from "../log.ts";
import { ensureStateDir } from "../state-dir.ts";
import { withRecordedOwner } from "./owner.ts";

export interface Recorder {
  started(entry: NewEntry): void;
  spawned(pid: number, pgid: number, startTicks: number | null): void;
  ended(end: EntryEnd): void;
}

/** The wrapper waits at most this long for another writer before running unrecorded. */
export const WRAPPER_BUSY_TIMEOUT_MS = 3_000;

export function ledgerRecorder(stateDir: string, log: Logger, warn: (message: string) => void): Recorder {
  let db: Database | null = null;
  let id: string | null = null;
  let warned = false;
  /** The connection was closed after the launch; the end needs one again. */
  let reopen = false;
  const reopenLedger = (): Database | null => {
    reopen = false;
    try {
      return openLedger(stateDir, { busyTimeoutMs: WRAPPER_BUSY_TIMEOUT_MS }).db;
    } catch (error) {
      fail("reopen", error);
      return null;
    }
  };
  const fail = (what: string, error: unknown) => {
    log.error({ id, err: describe(error) }, `ledger ${what} failed`);
    if (!warned) warn(`ledger not written (${describe(error)}); the command runs unrecorded`);
    warned = true;
  };

  return {
    started(entry) {
      id = entry.id;
      try {
        ensureStateDir(stateDir);
        const opened = openLedger(stateDir, { busyTimeoutMs: WRAPPER_BUSY_TIMEOUT_MS });
        db = opened.db;
        if (opened.movedAside) {
          warned = true;
          warn(`the ledger was corrupt; moved it to ${opened.movedAside} and started a new one`);
          log.warn({ movedTo: opened.movedAside }, "corrupt ledger moved aside");
        }
        insertEntry(db, withRecordedOwner(db, entry));
      } catch (error) {
        db?.close();
        db = null;
        fail("insert", error);
      }
    },
    spawned(pid, pgid, startTicks) {
      if (!db || !id) return;
      try {
        recordSpawned(db, id, pid, pgid, startTicks);
      } catch (error) {
        fail("update", error);
      }
      // A waiting wrapper holds no connection (nor its page cache); the end opens one again.
      db.close();
      db = null;
      reopen = true;
    },
    ended(end) {
      if (reopen && id) db = reopenLedger();
      if (!db || !id) return;
      try {
        recordEnd(db, id, end);
      } catch (error) {
        fail("end", error);
      }
      // Not closed: the process exits next, and Bun closes the database then.
      db = null;
    },
  };
}
