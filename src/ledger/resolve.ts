// Ids as users type them: a unique prefix is enough, like git's short hashes.

import type { Database } from "bun:sqlite";
import { UsageError } from "../errors.ts";
import { entriesByPrefix, type EntryRow } from "./entries.ts";

const ID_CHARS = /^[0-9a-z]+$/;

/** The entry `word` names; a usage error (exit 2) for no match, an ambiguous prefix, or a malformed id. */
export function resolveEntry(db: Database, word: string): EntryRow {
  // Crockford base32 is case-insensitive.
  const prefix = word.toLowerCase();
  if (!ID_CHARS.test(prefix)) throw new UsageError(`no entry '${word}' (ids are letters and digits, from supervise ls)`);
  const rows = entriesByPrefix(db, prefix, 3);
  if (rows.length === 0) throw new UsageError(`no entry '${word}'`);
  if (rows.length > 1) {
    const shown = rows.slice(0, 2).map((row) => row.id).join(", ");
    throw new UsageError(`ambiguous id '${word}': matches ${shown}${rows.length > 2 ? ", ..." : ""}`);
  }
  return rows[0]!;
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
