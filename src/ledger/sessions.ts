// Agent sessions as their SessionStart hook recorded them (ledger table `sessions`).

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

/** A resumed session (the same id, a new agent process) replaces the owner it had. */
export function recordSession(db: Database, row: SessionRow): void {
  db.query(
    `INSERT INTO sessions (agent, session, boot_id, owner_pid, owner_start_ticks, pid_namespace, cwd, started_at)
     VALUES (:agent, :session, :boot_id, :owner_pid, :owner_start_ticks, :pid_namespace, :cwd, :started_at)
     ON CONFLICT (agent, session) DO UPDATE SET boot_id = excluded.boot_id, owner_pid = excluded.owner_pid,
       owner_start_ticks = excluded.owner_start_ticks, pid_namespace = excluded.pid_namespace, cwd = excluded.cwd,
       started_at = excluded.started_at`,
  ).run({ ...row });
}

/** The recorded sessions of this boot, by sessionKey. */
export function sessionsOfBoot(db: Database, bootId: string): Map<string, SessionRow> {
  const rows = db.query("SELECT * FROM sessions WHERE boot_id = :boot").all({ boot: bootId }) as SessionRow[];
  return new Map(rows.map((row) => [sessionKey(row.agent, row.session), row]));
}

export function sessionKey(agent: string, session: string): string {
  return `${agent}\0${session}`;
}

/** Sessions of an earlier boot (their agents are gone with it) and those started before `before`. */
export function removeOldSessions(db: Database, bootId: string, before: number): number {
  return db.query("DELETE FROM sessions WHERE boot_id != :boot OR started_at < :before").run({ boot: bootId, before }).changes;
}

/** The newest recorded session of this boot with this id, whichever agent ran it. */
export function latestSession(db: Database, session: string, bootId: string): SessionRow | null {
  return (db.query("SELECT * FROM sessions WHERE session = :session AND boot_id = :boot ORDER BY started_at DESC LIMIT 1").get({ session, boot: bootId }) as SessionRow | null) ?? null;
}
