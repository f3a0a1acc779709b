// How the wrapper's record of an end meets a stop someone else asked for (stop_reason).

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { getEntry, insertEntry, recordEnd, requestStop, type EndReason, type EntryEnd } from "../../src/ledger/entries.ts";
import { MIGRATIONS } from "../../src/ledger/schema.ts";

function ledgerWith(id: string): Database {
  const db = new Database(":memory:", { strict: true });
  for (const migration of MIGRATIONS) db.run(migration);
  insertEntry(db, {
    id, boot_id: "b", wrapper_pid: 10, wrapper_start_ticks: 5, command: '["x"]', cwd: "/", session: null, name: null,
    started_at: 1, deadline_at: null, grace_ms: 3000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
  });
  return db;
}

const end = (state: EntryEnd["state"], reason: EndReason | null): EntryEnd => ({ state, ended_at: 2, exit_code: null, end_signal: "TERM", reason, exit_status: 143 });

describe("recordEnd with a stop asked for", () => {
  test.each([
    ["the command 'exited' (our signal killed it)", "manual", end("exited", null), ["killed", "manual"]],
    ["the wrapper ended it on its parent's death (the sweep ended the shell above it)", "owner-dead", end("killed", "parent-died"), ["killed", "owner-dead"]],
    ["the wrapper ended it on a signal (SessionEnd's stop of the session's tree)", "session-end", end("killed", "signal"), ["killed", "session-end"]],
    ["the deadline came first: it stays the reason", "manual", end("killed", "deadline"), ["killed", "deadline"]],
    ["leftovers after its own exit", "manual", end("exited", "leftovers"), ["killed", "manual"]],
    ["no stop asked for: the wrapper's reason", null, end("killed", "parent-died"), ["killed", "parent-died"]],
  ] as const)("%s", (_, stop, recorded, expected) => {
    const db = ledgerWith("e1");
    if (stop) requestStop(db, "e1", stop);
    expect(recordEnd(db, "e1", recorded)).toBe(true);
    const row = getEntry(db, "e1")!;
    expect([row.state, row.reason]).toEqual([...expected]);
    expect(row.exit_status).toBe(143);
  });
});
