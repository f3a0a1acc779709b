// Reading the ledger in tests: the contract's JSON through the real CLI, and raw rows for
// the fields only the ledger keeps (boot id, start ticks).

import { Database } from "bun:sqlite";
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
