// The hooks' side of telling: the session's untold changes read from the ledger, claimed, and
// returned as the lines of one context message. A claim is a compare-and-set of the entry's
// `told`, so two hooks that run at once (a prompt and a tool call) tell each change once.

import type { Database } from "bun:sqlite";
import { TOLD_STATES } from "../activity/state.ts";
import { claimTold, type EntryRow } from "../ledger/entries.ts";
import { existingLedger } from "../ledger/open.ts";
import { untoldNotices, toldAfter, type NoticeRow, type TellOptions } from "./notices.ts";

/** A hook waits for a writer this long at most: a notice not told now is told at the next hook. */
const BUSY_MS = 250;
/** Lines in one message, at most; the rest wait for the next hook. */
export const LINES_MAX = 5;

// Only rows that can hold something untold: running ones in a told state, ended ones not yet claimed.
const CANDIDATES = `
  SELECT id, name, command, state, reason, exit_code, end_signal, exit_status, started_at, ended_at,
         session_bound, activity, left_running, told
  FROM entries
  WHERE session = :session
    AND CASE
          WHEN ended_at IS NULL THEN
            CASE WHEN json_valid(activity) THEN json_extract(activity, '$.state') IN (${[...TOLD_STATES].map((state) => `'${state}'`).join(", ")}) ELSE 0 END
          WHEN told IS NULL OR NOT json_valid(told) THEN 1
          ELSE NOT EXISTS (SELECT 1 FROM json_each(told) WHERE value = 'end')
        END
  ORDER BY started_at, id`;

/**
 * The lines to tell the session's agent now (each claimed, so told once), and whether more
 * wait for the next hook; none when the ledger has none.
 */
export function takeNotices(stateDir: string, session: string, options: TellOptions, now = Date.now()): { lines: string[]; more: boolean } {
  const db = existingLedger(stateDir);
  if (db === null) return { lines: [], more: false };
  db.run(`PRAGMA busy_timeout = ${BUSY_MS}`);
  const lines: string[] = [];
  const rows = db.query(CANDIDATES).all({ session }) as NoticeRow[];
  for (const [at, row] of rows.entries()) {
    if (lines.length >= LINES_MAX) return { lines, more: at < rows.length };
    const notices = untoldNotices(row, now, options);
    // An ended entry is claimed whether or not it has a line: it is not read again.
    const keys = row.ended_at !== null ? ["end"] : notices.map((n) => n.key);
    if (keys.length === 0 || !claim(db, row, keys)) continue;
    for (const notice of notices) lines.push(notice.line);
  }
  return { lines, more: false };
}

function claim(db: Database, row: Pick<EntryRow, "id" | "told">, keys: readonly string[]): boolean {
  return claimTold(db, row.id, row.told ?? null, toldAfter(row, keys));
}
