// Agent sessions as their SessionStart hooks recorded them (ledger table `sessions`): one row
// per agent process a session has had, so a resume adds an owner instead of replacing one.

import type { Database } from "bun:sqlite";

export interface SessionRow {
  agent: string;
  session: string;
  boot_id: string;
  owner_pid: number;
  owner_start_ticks: number;
  /** The recorder's pid namespace ("pid:[...]"); null when unreadable. */
  pid_namespace: string | null;
  cwd: string;
  started_at: number;
}

/** Whether a recorded owner is provably gone now (never for one nothing can be known of). */
export type ProvenGone = (owner: SessionRow) => boolean;

/**
 * The session's owner `row`, added to the owners it already has: a resumed session (a second
 * agent process, or any same-user process running the hook) keeps the one still running.
 * The same process recorded again is one owner. Bounded here: the session's owners of an
 * earlier boot, and those `provenGone` proves gone, are dropped.
 */
export function recordSession(db: Database, row: SessionRow, provenGone: ProvenGone = () => false): void {
  db.transaction(() => {
    const key = { agent: row.agent, session: row.session };
    db.query("DELETE FROM sessions WHERE agent = :agent AND session = :session AND boot_id != :boot").run({ ...key, boot: row.boot_id });
    const owners = db.query("SELECT rowid, * FROM sessions WHERE agent = :agent AND session = :session").all(key) as Array<SessionRow & { rowid: number }>;
    const drop = db.query("DELETE FROM sessions WHERE rowid = :rowid");
    for (const owner of owners) if (sameOwner(owner, row) || provenGone(owner)) drop.run({ rowid: owner.rowid });
    db.query(
      `INSERT INTO sessions (agent, session, boot_id, owner_pid, owner_start_ticks, pid_namespace, cwd, started_at)
       VALUES (:agent, :session, :boot_id, :owner_pid, :owner_start_ticks, :pid_namespace, :cwd, :started_at)`,
    ).run({ ...row });
  }).immediate();
}

/** One agent process: its pid and start time in one pid namespace. */
function sameOwner(a: SessionRow, b: SessionRow): boolean {
  return a.owner_pid === b.owner_pid && a.owner_start_ticks === b.owner_start_ticks && a.pid_namespace === b.pid_namespace && a.boot_id === b.boot_id;
}

/** Every recorded owner of each session of this boot, by sessionKey, newest first. */
export function sessionsOfBoot(db: Database, bootId: string): Map<string, SessionRow[]> {
  const rows = db.query("SELECT * FROM sessions WHERE boot_id = :boot ORDER BY started_at DESC, rowid DESC").all({ boot: bootId }) as SessionRow[];
  const bySession = new Map<string, SessionRow[]>();
  for (const row of rows) {
    const key = sessionKey(row.agent, row.session);
    bySession.set(key, [...(bySession.get(key) ?? []), row]);
  }
  return bySession;
}

export function sessionKey(agent: string, session: string): string {
  return `${agent}\0${session}`;
}

/**
 * Sessions of an earlier boot (their agents are gone with it), and sessions whose every owner
 * was recorded before `before`. A session goes whole: dropping only its older owners would
 * leave the newer ones to prove it gone while an older one still runs.
 */
export function removeOldSessions(db: Database, bootId: string, before: number): number {
  return db
    .query(
      `DELETE FROM sessions WHERE boot_id != :boot OR (agent, session) IN
         (SELECT agent, session FROM sessions WHERE boot_id = :boot GROUP BY agent, session HAVING max(started_at) < :before)`,
    )
    .run({ boot: bootId, before }).changes;
}

/** The newest recorded owner of this boot of the session with this id, whichever agent ran it. */
export function latestSession(db: Database, session: string, bootId: string): SessionRow | null {
  return sessionOwners(db, session, bootId)[0] ?? null;
}

/** Every recorded owner of this boot of the session with this id, whichever agent ran it, newest first. */
export function sessionOwners(db: Database, session: string, bootId: string): SessionRow[] {
  return db.query("SELECT * FROM sessions WHERE session = :session AND boot_id = :boot ORDER BY started_at DESC, rowid DESC").all({ session, boot: bootId }) as SessionRow[];
}
