// The recorded sessions as owners: every owner per session, by id alone, and the proof used to
// drop an owner when a session records a new one (never for what cannot be read).

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { recordSession, sessionKey, type SessionRow } from "../../src/ledger/sessions.ts";
import { provenGoneNow, recordedOwners, recordedOwnersOf, statFacts } from "../../src/ownership/recorded-sessions.ts";
import { readNow } from "../../src/proc/facts.ts";

const OWN = readNow.pidNamespace("self");
const self = readNow.stat(process.pid)!;
const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  agent: "codex", session: "t1", boot_id: "b", owner_pid: self.pid, owner_start_ticks: self.startTicks, pid_namespace: OWN, cwd: "/", started_at: 1, ...over,
});

const STAT = (pid: number, ticks: number, state = "S") => `${pid} (co dex)) ${state} 1 ${pid} ${pid} 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 ${ticks} 0 0`;
const failing = (code: string) => () => {
  throw Object.assign(new Error(code), { code });
};

describe("statFacts (one pid read fresh)", () => {
  const cases: Array<[string, (path: string) => string, "none" | "unreadable" | number]> = [
    ["a process, comm with spaces and parens", () => STAT(900, 4242), 4242],
    ["no such pid", failing("ENOENT"), "none"],
    ["exited during the read", failing("ESRCH"), "none"],
    ["permission denied: unknown", failing("EACCES"), "unreadable"],
    ["too many open files: unknown", failing("EMFILE"), "unreadable"],
    ["junk text: unknown", () => "garbage", "unreadable"],
    ["empty: unknown", () => "", "unreadable"],
  ];
  for (const [name, read, expected] of cases) {
    test(name, () => {
      const facts = statFacts(900, read);
      const seen = facts.unreadable.has(900) ? "unreadable" : (facts.at(900)?.startTicks ?? "none");
      expect(seen).toBe(expected);
    });
  }
});

describe("provenGoneNow", () => {
  test("this very process: not gone; its pid with another start time: gone; recorded in another or an unknown namespace: never gone", () => {
    expect(provenGoneNow(row(), OWN)).toBe(false);
    expect(provenGoneNow(row({ owner_start_ticks: self.startTicks + 1 }), OWN)).toBe(true);
    expect(provenGoneNow(row({ owner_start_ticks: self.startTicks + 1, pid_namespace: "pid:[0]" }), OWN)).toBe(false);
    expect(provenGoneNow(row({ owner_start_ticks: self.startTicks + 1, pid_namespace: null }), OWN)).toBe(false);
    expect(provenGoneNow(row({ owner_start_ticks: self.startTicks + 1 }), null)).toBe(false);
  });

  test("an exited child, reaped: gone", async () => {
    const child = Bun.spawn(["true"]);
    const stat = readNow.stat(child.pid);
    await child.exited;
    // Its pid is free now (a new process taking it would be another start time: gone too).
    expect(provenGoneNow(row({ owner_pid: child.pid, owner_start_ticks: stat?.startTicks ?? 0 }), OWN)).toBe(true);
  });
});

describe("recordedOwners / recordedOwnersOf", () => {
  test("every owner per session, newest first; by id alone across agents", () => {
    const db = new Database(":memory:", { strict: true });
    for (const migration of MIGRATIONS) db.run(migration);
    recordSession(db, row({ owner_pid: 800, started_at: 1 }));
    recordSession(db, row({ owner_pid: 801, started_at: 2 }));
    recordSession(db, row({ agent: "gemini", session: "g1", owner_pid: 802, started_at: 3 }));
    const owners = recordedOwners(db, "b");
    expect(owners.get(sessionKey("codex", "t1"))!.map((o) => [o.pid, o.sameNamespace])).toEqual([[801, OWN === null ? null : true], [800, OWN === null ? null : true]]);
    expect(recordedOwnersOf(owners, "t1").map((o) => o.pid)).toEqual([801, 800]);
    expect(recordedOwnersOf(owners, "g1").map((o) => [o.agent, o.pid])).toEqual([["gemini", 802]]);
    expect(recordedOwnersOf(owners, "none")).toEqual([]);
    expect(recordedOwnersOf(undefined, "t1")).toEqual([]);
  });
});
