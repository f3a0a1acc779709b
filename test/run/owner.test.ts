// The owner a run records, from $CLAUDE_PID or from its session's SessionStart record: only
// an ancestor of the wrapper, with its start time.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import type { NewEntry } from "../../src/ledger/entries.ts";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { recordSession } from "../../src/ledger/sessions.ts";
import { agentOwner, withRecordedOwner } from "../../src/run/owner.ts";
import type { ProcStat } from "../../src/proc/stat.ts";
import { readNow } from "../../src/proc/facts.ts";

/** wrapper (10) <- bash (9) <- claude (8) <- login (7) <- init; 50 is alive but unrelated. */
const TABLE: Record<number, number> = { 10: 9, 9: 8, 8: 7, 7: 1, 50: 1 };
const read = (pid: number) => (pid in TABLE ? ({ pid, ppid: TABLE[pid], comm: "x", startTicks: pid * 100, state: "S" } as ProcStat) : null);

describe("agentOwner", () => {
  test.each([
    ["the parent", "9", { owner_pid: 9, owner_start_ticks: 900 }],
    ["the agent above the tool shell", "8", { owner_pid: 8, owner_start_ticks: 800 }],
    ["a live process that is no ancestor (a reused pid)", "50", { owner_pid: null, owner_start_ticks: null }],
    ["a dead pid", "4242", { owner_pid: null, owner_start_ticks: null }],
    ["the wrapper itself", "10", { owner_pid: null, owner_start_ticks: null }],
    ["init", "1", { owner_pid: null, owner_start_ticks: null }],
    ["junk", "8; rm -rf /", { owner_pid: null, owner_start_ticks: null }],
    ["unset", undefined, { owner_pid: null, owner_start_ticks: null }],
  ] as const)("CLAUDE_PID %s", (_, value, expected) => {
    expect(agentOwner(value === undefined ? {} : { CLAUDE_PID: value }, read, 10)).toEqual(expected);
  });
});

describe("withRecordedOwner: no owner in the environment, the session's recorded agent", () => {
  const here = readNow.pidNamespace("self");
  const entry = { session: "s1", boot_id: "boot-a", owner_pid: null, owner_start_ticks: null } as unknown as NewEntry;
  function ledger(owners: Array<[pid: number, ticks: number, namespace: string | null]>): Database {
    const db = new Database(":memory:", { strict: true });
    for (const migration of MIGRATIONS) db.run(migration);
    owners.forEach(([pid, ticks, namespace], i) =>
      recordSession(db, { agent: "gemini", session: "s1", boot_id: "boot-a", owner_pid: pid, owner_start_ticks: ticks, pid_namespace: namespace, cwd: "/", started_at: i + 1 }),
    );
    return db;
  }
  const ownerOf = (db: Database, over: Partial<NewEntry> = {}) => {
    const out = withRecordedOwner(db, { ...entry, ...over }, read, 10);
    return [out.owner_pid, out.owner_start_ticks];
  };

  test.each([
    ["an ancestor, recorded here", [[8, 800, here]], [8, 800]],
    ["a live process that is no ancestor (a session id typed by hand elsewhere)", [[50, 5000, here]], [null, null]],
    ["an ancestor's pid with another start time (the recorded agent is gone, its pid reused)", [[8, 799, here]], [null, null]],
    ["an ancestor recorded in another pid namespace", [[8, 800, "pid:[1]"]], [null, null]],
    ["a resumed session: the owner we run under, not the newest", [[8, 800, here], [50, 5000, here]], [8, 800]],
    ["none recorded", [], [null, null]],
  ] as const)("%s", (_, owners, expected) => {
    expect(ownerOf(ledger(owners.map((o) => [...o])))).toEqual([...expected]);
  });

  test("an owner from the environment, or no session: the record is not read", () => {
    const db = ledger([[8, 800, here]]);
    expect(ownerOf(db, { owner_pid: 9, owner_start_ticks: 900 })).toEqual([9, 900]);
    expect(ownerOf(db, { session: null })).toEqual([null, null]);
  });
});
