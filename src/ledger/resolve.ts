// Ids as users type them: a unique prefix is enough, like git's short hashes; or the entry's
// unique --name, or the live pid of its command or wrapper. Sessions by a unique prefix too
// (`ls` shows 8 characters of them).

import type { Database } from "bun:sqlite";
import { UsageError } from "../errors.ts";
import { currentIfSame } from "../proc/identity.ts";
import { entriesByName, entriesByPid, entriesByPrefix, sessionsByPrefix, type EntryRow } from "./entries.ts";
import { existingLedger } from "./open.ts";

const ID_CHARS = /^[0-9a-z]+$/;

/** The ledger, for a command that names entries: where none exists yet, a named id is "no entry 'ID'" (exit 2), else null. */
export function ledgerForIds(dir: string, words: readonly string[]): Database | null {
  const db = existingLedger(dir);
  if (!db && words.length > 0) throw new UsageError(`no entry '${words[0]}'`);
  return db;
}

/** The one entry `word` names, from the ledger (see ledgerForIds, resolveEntry). */
export function openEntry(dir: string, word: string): { db: Database; row: EntryRow } {
  const db = ledgerForIds(dir, [word])!;
  return { db, row: resolveEntry(db, word) };
}

/** The entry `word` names: an id prefix, else a unique name, else a live pid; a usage error (exit 2) for none or several. */
export function resolveEntry(db: Database, word: string): EntryRow {
  // Crockford base32 is case-insensitive.
  const prefix = word.toLowerCase();
  const byId = ID_CHARS.test(prefix) ? entriesByPrefix(db, prefix, 3) : [];
  if (byId.length > 1) {
    const shown = byId.slice(0, 2).map((row) => row.id).join(", ");
    throw new UsageError(`ambiguous id '${word}': matches ${shown}${byId.length > 2 ? ", ..." : ""}`);
  }
  if (byId.length === 1) return byId[0]!;
  const byName = entriesByName(db, word, 20);
  // A name a restart carried on: the one entry of that name still running is meant.
  const runningByName = byName.filter((row) => row.ended_at === null);
  if (byName.length > 1 && runningByName.length === 1) return runningByName[0]!;
  if (byName.length > 1) throw new UsageError(`ambiguous name '${word}': entries ${byName.slice(0, 2).map((row) => row.id).join(", ")}${byName.length > 2 ? ", ..." : ""} carry it; give an id`);
  if (byName.length === 1) return byName[0]!;
  const byPid = /^[1-9][0-9]*$/.test(word) ? livePidEntries(db, Number(word)) : [];
  if (byPid.length === 1) return byPid[0]!;
  throw new UsageError(`no entry '${word}' (an id or its prefix, a --name, or a live pid, from supervise ls)`);
}

/** Running entries whose command or wrapper is, provably, the live process at `pid`. */
function livePidEntries(db: Database, pid: number): EntryRow[] {
  return entriesByPid(db, pid).filter((row) => {
    const leader = row.pid === pid && row.start_ticks !== null && currentIfSame({ bootId: row.boot_id, pid, startTicks: row.start_ticks }) !== null;
    const wrapper = row.wrapper_pid === pid && row.wrapper_start_ticks !== null && currentIfSame({ bootId: row.boot_id, pid, startTicks: row.wrapper_start_ticks }) !== null;
    return leader || wrapper;
  });
}

/** Every word resolved before anything is done, so one bad id changes nothing. */
export function resolveEntries(db: Database, words: readonly string[]): EntryRow[] {
  const seen = new Map<string, EntryRow>();
  for (const word of words) {
    const row = resolveEntry(db, word);
    seen.set(row.id, row);
  }
  return [...seen.values()];
}

/** Of `sessions`, the one `word` names: itself, else the one it is a unique prefix of; null for none, a usage error for several. */
export function matchSession(sessions: readonly string[], word: string): string | null {
  const matches = [...new Set(sessions.filter((s) => s.startsWith(word)))];
  if (matches.includes(word)) return word;
  if (matches.length > 1) throw new UsageError(`ambiguous session '${word}': matches ${matches.slice(0, 2).join(", ")}${matches.length > 2 ? ", ..." : ""}`);
  return matches[0] ?? null;
}

/** The session `word` names among the ledger's (matchSession); a usage error for none. */
export function resolveSession(db: Database | null, word: string): string {
  const named = matchSession(db ? sessionsByPrefix(db, word) : [], word);
  if (named === null) throw new UsageError(`no session '${word}' in the ledger (a session id or its prefix, from supervise ls)`);
  return named;
}

/** `--session`'s value resolved, when it was given. */
export function resolveSessionOption(db: Database | null, word: string | undefined): string | undefined {
  return word === undefined ? undefined : resolveSession(db, word);
}
