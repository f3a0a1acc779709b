// Reading the ledger in tests: the contract's JSON through the real CLI, and raw rows for
// the fields only the ledger keeps (boot id, start ticks).

import { Database } from "bun:sqlite";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runCli, startCli } from "./cli.ts";
import { waitFor, type Sandbox } from "./sandbox.ts";

/** A ledger as the previous release (schema v4) left it, WAL, with an exited and a deadline-killed row. */
export function writeLedgerAtV4(path: string): void {
  const { MIGRATIONS } = require("../../src/ledger/schema.ts") as typeof import("../../src/ledger/schema.ts");
  const db = new Database(path, { strict: true });
  db.run("PRAGMA journal_mode = WAL");
  for (const migration of MIGRATIONS.slice(0, 4)) db.run(migration);
  db.run("PRAGMA user_version = 4");
  const insert = db.query(
    `INSERT INTO entries (id, boot_id, pid, pgid, wrapper_pid, command, cwd, started_at, first_signal, state, ended_at, exit_code, end_signal, reason)
     VALUES (:id, 'b', 11, 11, 10, '["x"]', '/', 1, 'TERM', :state, :ended_at, :exit_code, :end_signal, :reason)`,
  );
  insert.run({ id: "exited0003", state: "exited", ended_at: 2, exit_code: 3, end_signal: null, reason: null });
  insert.run({ id: "deadline04", state: "killed", ended_at: 2, exit_code: null, end_signal: "KILL", reason: "deadline" });
  db.close();
}

export async function lsAll(sb: Sandbox): Promise<any[]> {
  const result = await runCli(sb, ["ls", "--all", "--json"]);
  if (result.exitCode !== 0) throw new Error(`ls failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export function rawRows(sb: Sandbox): any[] {
  const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
  try {
    // As every reader of ours: a wrapper closing its connection checkpoints the WAL for a moment.
    db.run("PRAGMA busy_timeout = 5000");
    return db.query("SELECT * FROM entries ORDER BY started_at").all();
  } finally {
    db.close();
  }
}

/** Runs body while the test holds an exclusive lock on the sandbox's ledger. */
export async function whileLedgerLocked(sb: Sandbox, body: () => Promise<void>): Promise<void> {
  await runCli(sb, ["run", "--", "true"]);
  const db = new Database(join(sb.home, "ledger.db"));
  db.run("PRAGMA busy_timeout = 0");
  db.run("BEGIN EXCLUSIVE");
  try {
    await body();
  } finally {
    db.run("ROLLBACK");
    db.close();
  }
}

/** True once pid has the ledger file open: a wrapper doing so is in its busy wait, before the launch. */
/** `supervise wait` has read what it waits for and watches the state dir (fs.watch: an inotify fd): a change now is one it sees. */
export function isWatching(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === "anon_inode:inotify";
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

export function hasLedgerOpen(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith("ledger.db");
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Starts a supervised command that prints "<SUPERVISE_ID> <pid>" first (the handshake),
 * then runs `script`; its pid is tracked for cleanup.
 */
export async function startSupervised(sb: Sandbox, runArgs: string[], script = "exec sleep 100") {
  const run = startCli(sb, ["run", ...runArgs, "--", "sh", "-c", `echo "$SUPERVISE_ID $$"; ${script}`]);
  const [id, pid] = (await run.nextLine()).split(" ");
  sb.track(Number(pid));
  // The wrapper records the pid right after the launch; tests that kill it need the record.
  await waitFor(() => rawRows(sb).some((row) => row.id === id && row.pid !== null), 5_000, "the pid to be recorded");
  return { run, id: id!, pid: Number(pid) };
}

/** Moves an entry's end into the past. */
export function endedAgo(sb: Sandbox, id: string, ms: number): void {
  const db = new Database(join(sb.home, "ledger.db"));
  db.query("UPDATE entries SET ended_at = ? WHERE id = ?").run(Date.now() - ms, id);
  db.close();
}

/**
 * The reproduction of a ledger damaged behind an intact header: 40 entries, the WAL
 * checkpointed into the file, then every page after the first overwritten with random bytes.
 * The open succeeds; the first statement that reaches a table fails (SQLITE_CORRUPT).
 */
export function corruptPages(home: string): { path: string; ids: string[] } {
  const { openLedger } = require("../../src/ledger/open.ts") as typeof import("../../src/ledger/open.ts");
  const { insertEntry, recordEnd } = require("../../src/ledger/entries.ts") as typeof import("../../src/ledger/entries.ts");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const { db } = openLedger(home);
  const ids = Array.from({ length: 40 }, (_, i) => `pages${String(i).padStart(5, "0")}`);
  for (const [i, id] of ids.entries()) {
    insertEntry(db, {
      id, boot_id: "b", wrapper_pid: 999_999, wrapper_start_ticks: 1, command: '["true"]', cwd: "/", session: null, name: `n${i}`,
      started_at: i, deadline_at: null, grace_ms: 1000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
    });
    recordEnd(db, id, { by: "wrapper", at: i + 1, stop: null, outcome: "gone", exitCode: 0, endSignal: null, exitStatus: 0 });
  }
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  const { page_size: pageSize } = db.query("PRAGMA page_size").get() as { page_size: number };
  const { page_count: pages } = db.query("PRAGMA page_count").get() as { page_count: number };
  db.close();
  const path = join(home, "ledger.db");
  const fd = openSync(path, "r+");
  writeSync(fd, randomBytes(pageSize * (pages - 1)), 0, pageSize * (pages - 1), pageSize);
  closeSync(fd);
  return { path, ids };
}
