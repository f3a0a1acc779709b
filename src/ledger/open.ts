// Opening the ledger: WAL, a busy timeout set before anything else, migrations, and a
// corrupt file moved aside (never deleted) and recreated.

import { constants, Database } from "bun:sqlite";
import { SuperviseError } from "../errors.ts";
import { nodeFs as fs } from "../lazy-fs.ts";
import { under } from "../state-dir.ts";
import { MIGRATIONS } from "./schema.ts";

export interface OpenedLedger {
  db: Database;
  /** Where a corrupt ledger was moved, when that happened during this open. */
  movedAside?: string;
}

export interface OpenOptions {
  /** How long a write waits for another writer. */
  busyTimeoutMs?: number;
  /**
   * The caller only reads and knows the file exists: it is not created first, and a ledger
   * whose schema was never written (its creator is mid-way) counts as empty rather than
   * being migrated here, which would only contend with the writer that is doing it.
   */
  reader?: boolean;
  /** A reader that may still move a corrupt file aside (writers always do). */
  moveAsideIfCorrupt?: boolean;
}

export function ledgerPath(stateDir: string): string {
  return under(stateDir, "ledger.db");
}

export function openLedger(stateDir: string, options: Pick<OpenOptions, "busyTimeoutMs"> = {}): OpenedLedger {
  const path = ledgerPath(stateDir);
  try {
    return { db: openAndPrepare(path, options)! };
  } catch (error) {
    if (!(error instanceof MovedAside)) throw new SuperviseError(`ledger unavailable: ${describe(error)}`, { cause: error });
    try {
      return { db: openAndPrepare(path, options)!, movedAside: error.target };
    } catch (again) {
      throw new SuperviseError(`ledger unavailable after moving a corrupt one aside: ${describe(again)}`, { cause: again });
    }
  }
}

export interface ExistingOptions {
  /**
   * A writer (`kill`, `gc`) moves a corrupt ledger aside, is told where, and goes on with
   * none. Without it the file is a user's to keep: a reader fails and leaves it in place.
   */
  onMovedAside?: (target: string) => void;
}

/**
 * The ledger, or null when there is none yet: reading never creates state. Callers do not
 * close it: they exit right after, and Bun closes open databases as the process exits.
 */
export function existingLedger(stateDir: string, options: ExistingOptions = {}): Database | null {
  const path = ledgerPath(stateDir);
  // Once more when the file appeared between the failed open and the check: its creator was mid-way.
  for (let attempt = 0; ; attempt++) {
    try {
      return openAndPrepare(path, { reader: true, moveAsideIfCorrupt: options.onMovedAside !== undefined });
    } catch (error) {
      if (error instanceof MovedAside) {
        options.onMovedAside!(error.target);
        return null;
      }
      // Opened without the create flag: a missing file is "no ledger yet", checked only then.
      if (hasSqliteCode(error, "SQLITE_CANTOPEN") && attempt === 0) {
        if (!fs().existsSync(path)) return null;
        continue;
      }
      if (isCorruption(error)) {
        throw new SuperviseError(`ledger ${path} is corrupt (${describe(error)}); left as it is (run, reap, kill or gc move it aside)`, { cause: error });
      }
      throw new SuperviseError(`ledger unavailable: ${describe(error)}`, { cause: error });
    }
  }
}

/** The prepared database; null only for a reader that found no schema yet. */
function openAndPrepare(path: string, options: OpenOptions): Database | null {
  // Create the file ourselves so it is 0600 from the first byte; SQLite gives -wal/-shm the same mode.
  if (!options.reader) fs().closeSync(fs().openSync(path, "a", 0o600));
  const db = new Database(path, options.reader ? { readwrite: true, create: false, strict: true } : { strict: true });
  try {
    // Busy timeout first: under concurrent first opens, switching to WAL needs a lock.
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000));
    db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // Commits need no fsync in WAL mode (checkpoints still do); a reader commits nothing.
    if (!options.reader) db.run("PRAGMA synchronous = NORMAL");
    // Keep -wal/-shm between runs: every short-lived wrapper would otherwise delete and recreate them.
    db.fileControl(constants.SQLITE_FCNTL_PERSIST_WAL, 1);
    // WAL is a property of the file, set once when the schema is first created.
    const version = schemaVersion(db);
    if (version === 0 && options.reader) {
      db.close();
      return null;
    }
    if (version !== MIGRATIONS.length) {
      retryWhileBusy(() => {
        db.run("PRAGMA journal_mode = WAL");
        migrate(db);
      }, busyTimeoutMs);
    }
    return db;
  } catch (error) {
    // Move a damaged file aside before close(), which may rewrite or delete its -wal.
    const mayMove = !options.reader || options.moveAsideIfCorrupt === true;
    const target = mayMove && isCorruption(error) ? moveAside(path) : null;
    db.close();
    throw target ? new MovedAside(target, error) : error;
  }
}

/**
 * Creating the schema while other processes open the same new file: SQLite skips the busy
 * handler where waiting could deadlock (two connections both wanting to leave rollback mode
 * for WAL) and answers SQLITE_BUSY at once. Measured: 3 of 80 wrappers failed so with readers
 * polling. Those steps are retried here, within the same busy timeout.
 */
function retryWhileBusy(step: () => void, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!hasSqliteCode(error, "SQLITE_BUSY") || Date.now() >= deadline) throw error;
      // Jittered, so two openers that collided do not collide again in step.
      Bun.sleepSync(5 + Math.floor(Math.random() * 20));
    }
  }
}

class MovedAside extends Error {
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    super(`corrupt ledger moved to ${target}`, { cause });
  }
}

function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

function migrate(db: Database): void {
  const known = schemaVersion(db);
  if (known === MIGRATIONS.length) return;
  if (known > MIGRATIONS.length) {
    throw new SuperviseError(`ledger schema v${known} is newer than this supervise understands (v${MIGRATIONS.length})`);
  }
  db.transaction(() => {
    // Another process may have migrated while we waited for the write lock.
    for (let version = schemaVersion(db); version < MIGRATIONS.length; version++) {
      db.run(MIGRATIONS[version]!);
      db.run(`PRAGMA user_version = ${version + 1}`);
    }
  }).immediate();
}

/** Only these mean a damaged file; "locked" or "busy" must never move a live ledger aside (pitfall 1). */
export function isCorruption(error: unknown): boolean {
  return hasSqliteCode(error, "SQLITE_NOTADB", "SQLITE_CORRUPT");
}

/** Whether bun:sqlite's error code is one of these primary codes (extended codes included: SQLITE_BUSY_SNAPSHOT is BUSY). */
function hasSqliteCode(error: unknown, ...primaries: string[]): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && primaries.some((primary) => code.startsWith(primary));
}

function moveAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const target = `${path}.corrupt-${stamp}`;
  const { existsSync, renameSync } = fs();
  renameSync(path, target);
  // A stale WAL belongs to the damaged file; left in place it would be replayed into the new one.
  for (const suffix of ["-wal", "-shm"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
