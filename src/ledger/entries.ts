// Reading and writing supervised-command rows. Writes are IMMEDIATE transactions so a
// writer takes the lock up front instead of failing to upgrade a read (SQLITE_BUSY).

import type { Database } from "bun:sqlite";
import { decideEnd, type EndFacts, type EndRow } from "../entry/end.ts";
import { currentIfSame, type ProcessIdentity } from "../proc/identity.ts";
import { ringNews, stateDirOf } from "./news.ts";

/**
 * Stored states; `orphaned` and `lost` are also derived live from a stored `running`, and so
 * is `unknown` (recorded in another pid namespace: its pids name other processes here).
 */
export type EntryState = "running" | "exited" | "killed" | "orphaned" | "lost" | "unknown";
export type EndReason =
  | "deadline"
  /** `run --idle-timeout`: no progress (stalled or waiting for input) that long. */
  | "stalled"
  | "signal"
  | "parent-died"
  | "owner-dead"
  | "overdue"
  | "session-end"
  | "manual"
  /** exited by itself, and supervise ended what it left running. */
  | "leftovers";

export interface EntryRow {
  id: string;
  boot_id: string;
  pid: number | null;
  pgid: number | null;
  start_ticks: number | null;
  wrapper_pid: number;
  wrapper_start_ticks: number | null;
  command: string;
  cwd: string;
  session: string | null;
  name: string | null;
  started_at: number;
  deadline_at: number | null;
  grace_ms: number | null;
  first_signal: string;
  keep_orphaned: number;
  state: EntryState;
  ended_at: number | null;
  exit_code: number | null;
  end_signal: string | null;
  reason: EndReason | null;
  /** Set by `supervise kill` before it signals: the reason the wrapper then records. */
  stop_reason: EndReason | null;
  /** The agent that owned the command ($CLAUDE_PID) and its start time, when known. */
  owner_pid: number | null;
  owner_start_ticks: number | null;
  /** What the wrapper exited with; null when it died before recording (or was never told). */
  exit_status: number | null;
  /** The wrapper's pid namespace ("pid:[...]"); null when unreadable or recorded before v7. */
  pid_namespace: string | null;
  /** 1: what the command leaves at exit stays tied to its session (`run --session-bound`). */
  session_bound: number;
  /** What the command was doing as its wrapper last judged it: JSON (src/activity/record.ts); null before the first judgement. */
  activity?: string | null;
  /** What still ran of it as it ended: JSON (src/tell/left-running.ts); null when nothing was seen. */
  left_running?: string | null;
  /** What its agent session was told of it: a JSON array of keys (src/tell/notices.ts). */
  told?: string | null;
}

export type NewEntry = Pick<
  EntryRow,
  | "id"
  | "boot_id"
  | "wrapper_pid"
  | "wrapper_start_ticks"
  | "command"
  | "cwd"
  | "session"
  | "name"
  | "started_at"
  | "deadline_at"
  | "grace_ms"
  | "first_signal"
  | "keep_orphaned"
  | "owner_pid"
  | "owner_start_ticks"
  | "pid_namespace"
  | "session_bound"
>;

/** What a writer knows of an entry's end (src/entry/end.ts decides what the row records). */
export type EntryEnd = EndFacts;

/** Started with --keep-orphaned (or run.onOrphan "keep"): only `supervise kill` may end what it leaves. */
export function keepsOrphans(row: Pick<EntryRow, "keep_orphaned">): boolean {
  return row.keep_orphaned === 1;
}

/** Recorded before the command is spawned: the pid follows once it exists. */
export function insertEntry(db: Database, entry: NewEntry): void {
  db.transaction(() => {
    db.query(
      `INSERT INTO entries (id, boot_id, wrapper_pid, wrapper_start_ticks, command, cwd, session, name,
                            started_at, deadline_at, grace_ms, first_signal, keep_orphaned, owner_pid, owner_start_ticks,
                            pid_namespace, session_bound, state)
       VALUES (:id, :boot_id, :wrapper_pid, :wrapper_start_ticks, :command, :cwd, :session, :name,
               :started_at, :deadline_at, :grace_ms, :first_signal, :keep_orphaned, :owner_pid, :owner_start_ticks,
               :pid_namespace, :session_bound, 'running')`,
    ).run(entry);
  }).immediate();
}

/** The wrapper's latest judgement of what its running command does; an ended entry keeps its last one. */
export function recordActivity(db: Database, id: string, activity: string, told: boolean): void {
  const row = db.query("UPDATE entries SET activity = :activity WHERE id = :id AND ended_at IS NULL RETURNING session").get({ id, activity }) as { session: string | null } | null;
  if (told && row) ringNews(stateDirOf(db), row.session);
}

export function recordSpawned(db: Database, id: string, pid: number, pgid: number, startTicks: number | null): void {
  db.transaction(() => {
    db.query("UPDATE entries SET pid = :pid, pgid = :pgid, start_ticks = :startTicks WHERE id = :id").run({
      id,
      pid,
      pgid,
      startTicks,
    });
  }).immediate();
}

/**
 * Records how an entry ended, as src/entry/end.ts decides from the row and what the writer
 * knows, unless something else already did (first writer wins); true when this write
 * recorded it. The row is read inside the same IMMEDIATE transaction, so a stop asked for
 * meanwhile is seen. The wrapper's exit status is kept even when another writer recorded
 * the end first (`kill` racing it); a stop that reached nothing is withdrawn here too.
 */
export function recordEnd(db: Database, id: string, facts: EntryEnd): boolean {
  const nested = db.inTransaction;
  let session: string | null = null;
  const recorded = db.transaction(() => {
    const stored = db.query("SELECT ended_at, stop_reason, stop_owner, exit_status, session FROM entries WHERE id = :id").get({ id }) as (StoredEnd & { session: string | null }) | null;
    if (stored === null) return false;
    const { stop_owner, session: owner, ...row } = stored;
    session = owner;
    const decision = decideEnd({ ...row, stopOwnerAlive: stopOwnerAlive(stop_owner) }, facts);
    if (decision.withdrawStop) db.query("UPDATE entries SET stop_reason = NULL, stop_owner = NULL WHERE id = :id AND ended_at IS NULL").run({ id });
    if (decision.exitStatus !== null) {
      db.query("UPDATE entries SET exit_status = :exit_status WHERE id = :id AND exit_status IS NULL").run({ id, exit_status: decision.exitStatus });
    }
    // Whoever records the end, what the wrapper saw still running is what it left.
    if (facts.by === "wrapper" && facts.leftRunning) {
      db.query("UPDATE entries SET left_running = :left WHERE id = :id AND left_running IS NULL").run({ id, left: facts.leftRunning });
    }
    if (decision.record === null) return false;
    const result = db
      .query(
        `UPDATE entries SET state = :state, reason = :reason, ended_at = :ended_at, exit_code = :exit_code,
           end_signal = :end_signal, exit_status = :exit_status
         WHERE id = :id AND ended_at IS NULL`,
      )
      .run({ id, ...decision.record });
    return result.changes > 0;
  }).immediate();
  // Rung once committed; inside a caller's transaction, the caller rings after its commit.
  if (recorded && !nested) ringNews(stateDirOf(db), session);
  return recorded;
}

/** Records that an entry's wrapper and processes are gone with no end known (first writer wins). */
export function recordLost(db: Database, id: string, now: number): boolean {
  return recordEnd(db, id, { by: "gc", at: now });
}

/**
 * Marks a running entry as being stopped for `reason` (null withdraws it); false when it has
 * already ended. owner: the process asking, which stays alive through its stop; once it is
 * gone, a command that exits by itself is no longer recorded as stopped (src/entry/end.ts).
 * Null: a request nobody owns, which counts as long as it stands.
 */
export function requestStop(db: Database, id: string, reason: EndReason | null, owner: ProcessIdentity | null = null): boolean {
  const stop_owner = reason === null || owner === null ? null : stopOwnerText(owner);
  return db.transaction(() => {
    const result = db.query("UPDATE entries SET stop_reason = :reason, stop_owner = :stop_owner WHERE id = :id AND ended_at IS NULL").run({ id, reason, stop_owner });
    return result.changes > 0;
  }).immediate();
}

type StoredEnd = Omit<EndRow, "stopOwnerAlive"> & { stop_owner: string | null };

/** How stop_owner stores who asked: "bootid:pid:startTicks". */
export function stopOwnerText(owner: ProcessIdentity): string {
  return `${owner.bootId}:${owner.pid}:${owner.startTicks}`;
}

/** Read as stored: any text may be there; what is not an identity is none. */
export function parseStopOwner(text: string | null): ProcessIdentity | null {
  const match = text === null ? null : /^(.+):([1-9][0-9]{0,9}):(0|[1-9][0-9]{0,15})$/.exec(text);
  if (!match) return null;
  const pid = Number(match[2]);
  const startTicks = Number(match[3]);
  return Number.isSafeInteger(pid) && Number.isSafeInteger(startTicks) ? { bootId: match[1]!, pid, startTicks } : null;
}

/** Whether the recorded asker is the live process; null when none (or no identity) was recorded. */
function stopOwnerAlive(text: string | null): boolean | null {
  const owner = parseStopOwner(text);
  return owner === null ? null : currentIfSame(owner) !== null;
}

export interface ListFilter {
  all?: boolean;
  session?: string;
}

export function listEntries(db: Database, filter: ListFilter = {}): EntryRow[] {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (!filter.all) where.push("state = 'running'");
  if (filter.session !== undefined) {
    where.push("session = :session");
    params.session = filter.session;
  }
  const sql = `SELECT * FROM entries ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at, id`;
  return db.query(sql).all(params) as EntryRow[];
}

export function getEntry(db: Database, id: string): EntryRow | null {
  return (db.query("SELECT * FROM entries WHERE id = :id").get({ id }) as EntryRow | null) ?? null;
}

/** The entries with these ids (one query, whatever their number); missing ids are left out. */
export function entriesById(db: Database, ids: readonly string[]): EntryRow[] {
  if (ids.length === 0) return [];
  return db.query("SELECT * FROM entries WHERE id IN (SELECT value FROM json_each(?))").all(JSON.stringify(ids)) as EntryRow[];
}

/** Entries whose id starts with `prefix` (at most `limit`), through the primary key's index. */
export function entriesByPrefix(db: Database, prefix: string, limit = 2): EntryRow[] {
  // Ids are [0-9a-z]: every id with this prefix sorts between it and it followed by '~'.
  return db.query("SELECT * FROM entries WHERE id >= :lo AND id < :hi ORDER BY id LIMIT :limit").all({ lo: prefix, hi: `${prefix}~`, limit }) as EntryRow[];
}

/** Entries named `name` (`run --name`), newest first. */
export function entriesByName(db: Database, name: string, limit = 2): EntryRow[] {
  return db.query("SELECT * FROM entries WHERE name = :name ORDER BY started_at DESC, id LIMIT :limit").all({ name, limit }) as EntryRow[];
}

/** Entries whose command or wrapper has this pid now or had it (the caller proves which lives). */
export function entriesByPid(db: Database, pid: number): EntryRow[] {
  return db.query("SELECT * FROM entries WHERE pid = :pid OR wrapper_pid = :pid ORDER BY started_at DESC, id").all({ pid }) as EntryRow[];
}

/**
 * Replaces what an entry's session was told, if it still is `before`: true when this call
 * made the change, so two hooks that read the same notices tell them once between them.
 */
export function claimTold(db: Database, id: string, before: string | null, after: string): boolean {
  return db.query("UPDATE entries SET told = :after WHERE id = :id AND told IS :before").run({ id, before, after }).changes === 1;
}

/** The sessions entries were recorded with that start with `prefix`, at most `limit`. */
export function sessionsByPrefix(db: Database, prefix: string, limit = 3): string[] {
  const rows = db.query("SELECT DISTINCT session FROM entries WHERE session IS NOT NULL AND substr(session, 1, length(:prefix)) = :prefix ORDER BY session LIMIT :limit").all({ prefix, limit }) as Array<{ session: string }>;
  return rows.map((row) => row.session);
}

export interface GcRule {
  /** Finished entries that ended before this time are removed. */
  endedBefore: number;
  /** At most this many finished entries are kept, the newest. */
  keepFinished: number;
}

/** A finished entry as gc sees it: whether a live process can still carry its cookie. */
export type FinishedRow = Pick<EntryRow, "id" | "boot_id" | "wrapper_start_ticks" | "start_ticks" | "pid_namespace">;

/** The finished entries the rule would delete (never a running one). */
export function finishedByRule(db: Database, rule: GcRule): FinishedRow[] {
  return db
    .query(
      `SELECT id, boot_id, wrapper_start_ticks, start_ticks, pid_namespace FROM entries WHERE ended_at IS NOT NULL AND (ended_at < :before OR id IN (
         SELECT id FROM entries WHERE ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT -1 OFFSET :keep))`,
    )
    .all({ before: rule.endedBefore, keep: Math.max(0, rule.keepFinished) }) as FinishedRow[];
}

/** Deletes these entries, finished ones only; the ids deleted. */
export function deleteFinished(db: Database, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  return db.transaction(() => {
    const rows = db
      .query("DELETE FROM entries WHERE ended_at IS NOT NULL AND id IN (SELECT value FROM json_each(?)) RETURNING id")
      .all(JSON.stringify(ids)) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }).immediate();
}
