// The ledger's schema, as numbered migrations. PRAGMA user_version holds how many ran.
// Append only: a released migration is never edited, a change is a new one.

export const MIGRATIONS: readonly string[] = [
  // 1: supervised commands.
  `CREATE TABLE entries (
     id TEXT PRIMARY KEY,
     boot_id TEXT NOT NULL,
     pid INTEGER,
     pgid INTEGER,
     start_ticks INTEGER,
     wrapper_pid INTEGER NOT NULL,
     wrapper_start_ticks INTEGER,
     command TEXT NOT NULL,
     cwd TEXT NOT NULL,
     session TEXT,
     name TEXT,
     started_at INTEGER NOT NULL,
     deadline_at INTEGER,
     grace_ms INTEGER,
     first_signal TEXT NOT NULL,
     keep_orphaned INTEGER NOT NULL DEFAULT 0,
     state TEXT NOT NULL,
     ended_at INTEGER,
     exit_code INTEGER,
     end_signal TEXT,
     reason TEXT
   ) STRICT;
   CREATE INDEX entries_by_state ON entries(state);
   CREATE INDEX entries_by_session ON entries(session);`,
  // 2: reap history, one row per sweep; targets and errors are JSON arrays.
  `CREATE TABLE reap_runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     trigger TEXT NOT NULL,
     session TEXT,
     dry_run INTEGER NOT NULL,
     scanned INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     terminated INTEGER NOT NULL,
     killed INTEGER NOT NULL,
     gone INTEGER NOT NULL,
     failed INTEGER NOT NULL,
     zombies INTEGER NOT NULL,
     targets TEXT NOT NULL,
     errors TEXT
   ) STRICT;`,
  // 3: a stop someone asked for (`supervise kill`), so the wrapper records why its command
  // died; and an index for gc, which deletes by end time.
  `ALTER TABLE entries ADD COLUMN stop_reason TEXT;
   CREATE INDEX entries_by_end ON entries(ended_at);`,
  // 4: the agent process that owned the command (Claude Code's CLAUDE_PID and its start
  // time), so a wrapper that outlived its agent can be judged owner-dead.
  `ALTER TABLE entries ADD COLUMN owner_pid INTEGER;
   ALTER TABLE entries ADD COLUMN owner_start_ticks INTEGER;`,
  // 5: the status the wrapper itself exited with, which `wait` returns as it is: how the
  // command ended does not say it (a TERM-ignoring command killed after the wrapper got TERM
  // died of KILL, 137, while the wrapper exited 143).
  `ALTER TABLE entries ADD COLUMN exit_status INTEGER;`,
  // 6: agent sessions as their SessionStart hook saw them: the agent process's identity and
  // pid namespace, the proof of "owner gone" for commands that carry no owner pid.
  `CREATE TABLE sessions (
     agent TEXT NOT NULL,
     session TEXT NOT NULL,
     boot_id TEXT NOT NULL,
     owner_pid INTEGER NOT NULL,
     owner_start_ticks INTEGER NOT NULL,
     pid_namespace TEXT,
     cwd TEXT NOT NULL,
     started_at INTEGER NOT NULL,
     PRIMARY KEY (agent, session)
   ) STRICT;`,
  // 7: the pid namespace the wrapper recorded its pids in (elsewhere they name other
  // processes), and whether what the command leaves at exit stays tied to its session
  // (an agent's wrapped background command) instead of being ended then.
  `ALTER TABLE entries ADD COLUMN pid_namespace TEXT;
   ALTER TABLE entries ADD COLUMN session_bound INTEGER NOT NULL DEFAULT 0;`,
  // 8: every agent process a session has had, one row each (a resumed session, or a hook run
  // by any same-user process, adds an owner instead of replacing the one that still runs):
  // the session is gone only once all of them are.
  `CREATE TABLE session_owners (
     agent TEXT NOT NULL,
     session TEXT NOT NULL,
     boot_id TEXT NOT NULL,
     owner_pid INTEGER NOT NULL,
     owner_start_ticks INTEGER NOT NULL,
     pid_namespace TEXT,
     cwd TEXT NOT NULL,
     started_at INTEGER NOT NULL
   ) STRICT;
   INSERT INTO session_owners (agent, session, boot_id, owner_pid, owner_start_ticks, pid_namespace, cwd, started_at)
     SELECT agent, session, boot_id, owner_pid, owner_start_ticks, pid_namespace, cwd, started_at FROM sessions;
   DROP TABLE sessions;
   ALTER TABLE session_owners RENAME TO sessions;
   CREATE INDEX sessions_by_session ON sessions(session, boot_id);`,
  // 9: who asked for the stop in stop_reason ("bootid:pid:startTicks" of the `kill` or
  // SessionEnd follow-up that asked): a request whose asker died (a `kill` SIGKILLed during
  // its grace) no longer names the reason of a command that then exits by itself.
  `ALTER TABLE entries ADD COLUMN stop_owner TEXT;`,
  // 10: what the running command is doing, as its wrapper last judged it (src/activity): a
  // JSON object written when the judgement changes.
  `ALTER TABLE entries ADD COLUMN activity TEXT;`,
  // 11: what the command left running as it ended (a JSON array, src/tell/left-running.ts),
  // and what the entry's agent session has been told about it (a JSON array of keys,
  // src/tell/notices.ts), so each change reaches the agent once.
  `ALTER TABLE entries ADD COLUMN left_running TEXT;
   ALTER TABLE entries ADD COLUMN told TEXT;`,
];
