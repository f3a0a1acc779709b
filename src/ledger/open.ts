// Opening the ledger: a regular file only, WAL, a busy timeout set before anything else,
// migrations, and a corrupt file moved aside (never deleted) and recreated. Corruption is
// also met after the open, on any statement (pages damaged behind an intact header): a
// writer then moves the file aside the same way (setAsideCorrupt), a reader says one line
// (readerFailure).

import { constants, Database } from "bun:sqlite";
import type { Stats } from "node:fs";
import { SuperviseError } from "../errors.ts";
import { nodeFs as fs } from "../lazy-fs.ts";
import { under } from "../state-dir.ts";
import { MIGRATIONS } from "./schema.ts";

export interface OpenedLedger {
  db: Database;
  /** Where a corrupt ledger was moved, when that happened during this open. */
  movedAside?: string;
  /** What was moved aside was a ledger emptied under its -wal (deleted, or truncated), not a damaged one. */
  emptied?: boolean;
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

/** Files a connection found already moved aside by someone else: open again, at most this often. */
const REOPENS = 3;

export function ledgerPath(stateDir: string): string {
  return under(stateDir, "ledger.db");
}

export function openLedger(stateDir: string, options: Pick<OpenOptions, "busyTimeoutMs"> = {}): OpenedLedger {
  const path = ledgerPath(stateDir);
  let moved: MovedAside | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const db = openAndPrepare(path, options)!;
      return moved === undefined ? { db } : { db, movedAside: moved.target!, ...(moved.emptied ? { emptied: true } : {}) };
    } catch (error) {
      if (!(error instanceof MovedAside) || attempt >= REOPENS) {
        const after = moved === undefined ? "" : " after moving a corrupt one aside";
        throw new SuperviseError(`ledger unavailable${after}: ${describe(error)}`, { cause: error });
      }
      if (error.target !== null) moved = error;
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
  // Once more when the file appeared between the failed open and the check: its creator was
  // mid-way; and when another writer moved a corrupt file aside before we could.
  for (let attempt = 0; ; attempt++) {
    try {
      return openAndPrepare(path, { reader: true, moveAsideIfCorrupt: options.onMovedAside !== undefined });
    } catch (error) {
      if (error instanceof MovedAside && error.target !== null) {
        options.onMovedAside!(error.target);
        return null;
      }
      if (error instanceof MovedAside && attempt < REOPENS) continue;
      // Opened without the create flag: a missing file is "no ledger yet", checked only then.
      if (hasSqliteCode(error, "SQLITE_CANTOPEN") && attempt === 0) {
        if (!fs().existsSync(path)) return null;
        continue;
      }
      throw readerFailure(stateDir, error);
    }
  }
}

/**
 * What a command that only reads says when the ledger failed it, at open or on any later
 * statement: one line, never a stack trace. Anything that is not the ledger's is returned as is.
 */
export function readerFailure(stateDir: string, error: unknown): unknown {
  if (error instanceof NotRegularFile) return new SuperviseError(`ledger unavailable: ${error.message}`, { cause: error });
  if (error instanceof SuperviseError) return error;
  if (isCorruption(error)) {
    return new SuperviseError(`ledger ${ledgerPath(stateDir)} is corrupt (${describe(error)}); left as it is (run, reap, kill or gc move it aside)`, { cause: error });
  }
  if (isSqliteError(error)) return new SuperviseError(`ledger unavailable: ${describe(error)}`, { cause: error });
  return error;
}

/** Runs a reading command's body: the ledger failing it on any statement is one line (readerFailure). */
export async function readingLedger<T>(stateDir: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw readerFailure(stateDir, error);
  }
}

/** The file each open connection was opened on ("dev:ino"), to tell whether the path still names it. */
const opened = new WeakMap<Database, string>();

/** The file at the ledger's path now ("dev:ino"), null when there is none. */
export function ledgerFileAt(stateDir: string): string | null {
  return fileAt(ledgerPath(stateDir));
}

/** Whether the path no longer names the file this connection opened (deleted, or replaced by a new ledger). */
export function ledgerReplaced(stateDir: string, db: Database): boolean {
  const mine = opened.get(db);
  return mine === undefined || fileAt(ledgerPath(stateDir)) !== mine;
}

/**
 * A writer found the ledger corrupt on a statement after the open: the file this connection
 * opened is moved aside with its -wal and -shm, as at open, unless the path names another
 * file by now (another writer moved it first). The connection stays open on the moved
 * file, never to be written again; the caller closes it. The target, or null when not moved here.
 */
export function setAsideCorrupt(stateDir: string, db: Database): string | null {
  const mine = opened.get(db);
  return mine === undefined ? null : moveAside(ledgerPath(stateDir), mine);
}

/** setAsideCorrupt, then the connection closed: where the file went (told to `onMovedAside` too), or null when another writer moved it first. */
export function closeSettingAside(stateDir: string, db: Database, onMovedAside?: (target: string) => void): string | null {
  const target = setAsideCorrupt(stateDir, db);
  db.close();
  if (target) onMovedAside?.(target);
  return target;
}

/** The prepared database; null only for a reader that found no schema yet. */
function openAndPrepare(path: string, options: OpenOptions): Database | null {
  const writer = !options.reader;
  const before = writer ? createRegular(path) : checkRegular(path);
  const db = new Database(path, writer ? { strict: true } : { readwrite: true, create: false, strict: true });
  // What the connection opened: the file at the path just before and still just after.
  const file = fileAt(path);
  if (before !== null && file !== null && file !== before) {
    db.close();
    throw new MovedAside(null, new Error("the ledger was replaced while it was opened"));
  }
  if (file !== null) opened.set(db, file);
  try {
    // Busy timeout first: under concurrent first opens, switching to WAL needs a lock.
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000));
    db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    // Commits need no fsync in WAL mode (checkpoints still do); a reader commits nothing.
    if (writer) db.run("PRAGMA synchronous = NORMAL");
    // Keep -wal/-shm between runs: every short-lived wrapper would otherwise delete and recreate them.
    // (It also keeps a close after setAsideCorrupt from deleting, by name, a new ledger's -wal and -shm.)
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
    // Move a damaged file aside before close(), which may rewrite its -wal.
    const mayMove = writer || options.moveAsideIfCorrupt === true;
    const corrupt = mayMove && isCorruption(error);
    // An empty file that reads as malformed was truncated under its -wal, not damaged.
    const emptied = corrupt && isEmptyLedger(path);
    const target = corrupt && file !== null ? moveAside(path, file) : null;
    db.close();
    throw corrupt ? new MovedAside(target, error, emptied) : error;
  }
}

/**
 * A writer's open: the file is created 0600 from its first byte (SQLite gives -wal/-shm the
 * same mode), without blocking on a FIFO, and must be a regular file. A ledger emptied under
 * its -wal (deleted and created again, or truncated) is set aside with it: replayed into the
 * empty file, the old frames would make a ledger of half its pages. Returns the file ("dev:ino").
 */
function createRegular(path: string): string {
  checkRegular(path);
  const { openSync, fstatSync, closeSync, statSync, constants: c } = fs();
  // The WAL is looked at first: a ledger being created gets its header before any WAL exists.
  const walBytes = statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  let fd: number;
  try {
    fd = openSync(path, c.O_WRONLY | c.O_CREAT | c.O_APPEND | c.O_NONBLOCK, 0o600);
  } catch (error) {
    // ENXIO: a FIFO nobody reads, put there after the check.
    if ((error as NodeJS.ErrnoException).code === "ENXIO") throw new NotRegularFile(path, "a FIFO", error);
    throw error;
  }
  let stat: Stats;
  try {
    stat = fstatSync(fd);
  } finally {
    closeSync(fd);
  }
  if (!stat.isFile()) throw new NotRegularFile(path, kindOf(stat));
  const file = identity(stat);
  if (stat.size === 0 && walBytes > 0) throw new MovedAside(moveAside(path, file), new Error("the ledger was emptied under its WAL"), true);
  return file;
}

/** A ledger, -wal or -shm that is not a regular file (a FIFO would block the open forever): refused. The file ("dev:ino"), null when none. */
function checkRegular(path: string): string | null {
  const { statSync } = fs();
  let file: string | null = null;
  for (const suffix of ["", "-wal", "-shm"]) {
    const stat = statSync(path + suffix, { throwIfNoEntry: false });
    if (stat && !stat.isFile()) throw new NotRegularFile(path + suffix, kindOf(stat));
    if (suffix === "" && stat) file = identity(stat);
  }
  return file;
}

export class NotRegularFile extends SuperviseError {
  constructor(path: string, kind: string, cause?: unknown) {
    super(`${path} is ${kind}, not a regular file`, { cause });
    this.name = "NotRegularFile";
  }
}

/** The ledger's path names a file of no bytes (truncated). */
export function isEmptyLedger(path: string): boolean {
  return fs().statSync(path, { throwIfNoEntry: false })?.size === 0;
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isDirectory()) return "a directory";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "something else";
}

function identity(stat: Pick<Stats, "dev" | "ino">): string {
  return `${stat.dev}:${stat.ino}`;
}

function fileAt(path: string): string | null {
  const stat = fs().statSync(path, { throwIfNoEntry: false });
  return stat ? identity(stat) : null;
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

/** A corrupt (or emptied) ledger met at open; target: where it went, null when another writer moved it first. */
class MovedAside extends Error {
  constructor(
    readonly target: string | null,
    cause: unknown,
    readonly emptied = false,
  ) {
    super(target ? `corrupt ledger moved to ${target}` : "corrupt ledger already moved aside", { cause });
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

/** Another connection holds what this one needs: worth trying again later. */
export function isContention(error: unknown): boolean {
  return hasSqliteCode(error, "SQLITE_BUSY", "SQLITE_LOCKED");
}

/** SQLite's I/O error (SQLITE_IOERR_*): a file it had open or meant to open changed under it. */
export function isIoError(error: unknown): boolean {
  return hasSqliteCode(error, "SQLITE_IOERR");
}

/** An error SQLite reported (any SQLITE_ code), also when it is the cause of ours. */
export function isSqliteError(error: unknown): boolean {
  return hasSqliteCode(error, "SQLITE_");
}

/** Whether bun:sqlite's error code, here or in a cause, is one of these primary codes (extended codes included: SQLITE_BUSY_SNAPSHOT is BUSY). */
function hasSqliteCode(error: unknown, ...primaries: string[]): boolean {
  for (let e = error, depth = 0; e != null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && primaries.some((primary) => code.startsWith(primary))) return true;
  }
  return false;
}

/**
 * Renames the ledger with its -wal and -shm to ledger.db.corrupt-<time>-<pid>, only while the
 * path still names `file`: a second writer that met the same damage must not move the new
 * ledger the first one created. The target, or null when the file is no longer there.
 */
function moveAside(path: string, file: string): string | null {
  if (fileAt(path) !== file) return null;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const target = `${path}.corrupt-${stamp}-${process.pid}`;
  const { renameSync } = fs();
  try {
    renameSync(path, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  // A stale WAL belongs to the damaged file; left in place it would be replayed into the new one.
  for (const suffix of ["-wal", "-shm"]) {
    try {
      renameSync(path + suffix, target + suffix);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
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

/** What SQLite's quick check found wrong, or null: nothing, or a check it could not make (a lock is not damage). */
export function ledgerDamage(db: Database): string | null {
  try {
    const found = (db.query("PRAGMA quick_check(1)").values() as unknown[][]).map((row) => String(row[0]));
    if (found.length === 1 && found[0] === "ok") return null;
    // One line for the report: "*** in database main ***\nPage 5: ..." as "Page 5: ...".
    return `quick_check: ${(found[0] ?? "no answer").replace(/^\*\*\* in database \w+ \*\*\*\s*/, "").replace(/\s+/g, " ")}`;
  } catch (error) {
    return isCorruption(error) ? describe(error) : null;
  }
}
