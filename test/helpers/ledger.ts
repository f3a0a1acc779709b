// Reading the ledger in tests: the contract's JSON through the real CLI, and raw rows for
// the fields only the ledger keeps (boot id, start ticks).

import { Database } from "bun:sqlite";
import { readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import type { Sandbox } from "./sandbox.ts";

export async function lsAll(sb: Sandbox): Promise<any[]> {
  const result = await runCli(sb, ["ls", "--all", "--json"]);
  if (result.exitCode !== 0) throw new Error(`ls failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

export function rawRows(sb: Sandbox): any[] {
  const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
  try {
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
