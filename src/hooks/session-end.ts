// SessionEnd: end the session's supervised commands, inside Claude Code's 1.5 s budget for
// all SessionEnd hooks. The hook sends the first signal itself and hands the grace period
// and SIGKILL to a fully detached follow-up (own session, stdio closed), so it returns in
// milliseconds. SessionEnd is not always fired (see README): the reaper stays the safety net.

import type { Database } from "bun:sqlite";
import { keepsOrphans, listEntries, requestStop, type EntryRow } from "../ledger/entries.ts";
import { entryRef } from "../ledger/view.ts";
import { findEntryProcesses } from "../proc/scan.ts";
import { sendFirstSignal } from "../proc/terminate.ts";
import { firstSignalOf } from "../stop/stop-entry.ts";

/** The session's running entries that SessionEnd ends: all but those started to keep running. */
export function sessionEntriesToEnd(db: Database, session: string): EntryRow[] {
  return listEntries(db, { session }).filter((row) => !keepsOrphans(row));
}

/** Marks each running entry of the session as stopping and sends it its first signal; the ids. */
export function signalSessionEntries(db: Database, session: string): string[] {
  const stopping: string[] = [];
  for (const row of sessionEntriesToEnd(db, session)) {
    if (!requestStop(db, row.id, "session-end")) continue;
    stopping.push(row.id);
    if (row.pid === null) continue;
    const ref = entryRef(row);
    sendFirstSignal(ref, findEntryProcesses(ref), firstSignalOf(row));
  }
  return stopping;
}
