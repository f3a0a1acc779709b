// Reading and writing supervised-command rows. Writes are IMMEDIATE transactions so a
// writer takes the lock up front instead of failing to upgrade a read (SQLITE_BUSY).

import type { Database } from "bun:sqlite";

/** Stored states; `orphaned` and `lost` are also derived live from a stored `running`. */
export type EntryState = "running" | "exited" | "killed" | "orphaned" | "lost";
export type EndReason =
  | "deadline"
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
>;

export interface EntryEnd {
  state: "exited" | "killed" | "lost";
  ended_at: number;
  exit_code: number | null;
  end_signal: string | null;
  reason: EndReason | null;
}

/** Recorded before the command is spawned: the pid follows once it exists. */
export function insertEntry(db: Database, entry: NewEntry): void {
  db.transaction(() => {
    db.query(
      `INSERT INTO entries (id, boot_id, wrapper_pid, wrapper_start_ticks, command, cwd, session, name,
                            started_at, deadline_at, grace_ms, first_signal, keep_orphaned, state)
       VALUES (:id, :boot_id, :wrapper_pid, :wrapper_start_ticks, :command, :cwd, :session, :name,
               :started_at, :deadline_at, :grace_ms, :first_signal, :keep_orphaned, 'running')`,
    ).run(entry);
  }).immediate();
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

/** Records how an entry ended, unless something else already did (first writer wins). */
export function recordEnd(db: Database, id: string, end: EntryEnd): boolean {
  return db.transaction(() => {
    const result = db
      .query(
        `UPDATE entries SET state = :state, ended_at = :ended_at, exit_code = :exit_code,
                            end_signal = :end_signal, reason = :reason
         WHERE id = :id AND ended_at IS NULL`,
      )
      .run({ id, ...end });
    return result.changes > 0;
  }).immediate();
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
