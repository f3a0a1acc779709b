// The sessions table: every owner a session has had, recorded by SessionStart, read by boot, bounded.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { latestSession, recordSession, removeOldSessions, sessionKey, sessionOwners, sessionsOfBoot, type SessionRow } from "../../src/ledger/sessions.ts";

function ledger(migrations = MIGRATIONS): Database {
  const db = new Database(":memory:", { strict: true });
  for (const migration of migrations) db.run(migration);
  return db;
}

const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  agent: "claude-code", session: "s1", boot_id: "boot-a", owner_pid: 900, owner_start_ticks: 100, pid_namespace: "pid:[1]", cwd: "/p", started_at: 1_000, ...over,
});

const owners = (db: Database, agent = "claude-code", session = "s1") => (sessionsOfBoot(db, "boot-a").get(sessionKey(agent, session)) ?? []).map((r) => [r.owner_pid, r.owner_start_ticks]);

describe("sessions", () => {
  test("a resumed session (a second agent process) keeps the owner it had: both are its owners, newest first", () => {
    const db = ledger();
    recordSession(db, row());
    recordSession(db, row({ owner_pid: 950, owner_start_ticks: 200, started_at: 2_000 }));
    recordSession(db, row({ agent: "gemini", owner_pid: 960 }));
    const byKey = sessionsOfBoot(db, "boot-a");
    expect(byKey.size).toBe(2);
    expect(owners(db)).toEqual([[950, 200], [900, 100]]);
    expect(owners(db, "gemini")).toEqual([[960, 100]]);
    expect(sessionsOfBoot(db, "boot-b").size).toBe(0);
  });

  // Each row fails on the upsert that kept one owner per session.
  const cases: Array<[string, SessionRow[], (owner: SessionRow) => boolean, number[][]]> = [
    ["the same process recorded again is one owner, with its newest record", [row(), row({ started_at: 3_000, cwd: "/q" })], () => false, [[900, 100]]],
    ["the same pid, another start time (a reused pid): two owners", [row(), row({ owner_start_ticks: 300, started_at: 2_000 })], () => false, [[900, 300], [900, 100]]],
    ["the same pid and start time in another pid namespace: two owners", [row(), row({ pid_namespace: "pid:[2]", started_at: 2_000 })], () => false, [[900, 100], [900, 100]]],
    ["an owner proven gone is dropped when a new one is recorded", [row(), row({ owner_pid: 901 }), row({ owner_pid: 950, started_at: 2_000 })], (o) => o.owner_pid === 900, [[950, 100], [901, 100]]],
    ["an owner of an earlier boot is dropped, whatever the proof says", [row({ boot_id: "boot-0" }), row({ owner_pid: 950, started_at: 2_000 })], () => false, [[950, 100]]],
  ];
  for (const [name, records, provenGone, expected] of cases) {
    test(name, () => {
      const db = ledger();
      for (const record of records) recordSession(db, record, provenGone);
      expect(owners(db)).toEqual(expected);
    });
  }

  test("the new owner itself is never dropped as gone, and the proof is asked only of this session's owners", () => {
    const db = ledger();
    recordSession(db, row({ session: "other" }));
    const asked: string[] = [];
    recordSession(db, row({ owner_pid: 950 }));
    recordSession(db, row({ owner_pid: 951 }), (o) => (asked.push(`${o.session}:${o.owner_pid}`), true));
    expect(asked).toEqual(["s1:950"]);
    expect(owners(db)).toEqual([[951, 100]]);
    expect(owners(db, "claude-code", "other")).toEqual([[900, 100]]);
  });

  test("bounded: an earlier boot's sessions and those whose every owner is older than the cut go, whole", () => {
    const db = ledger();
    recordSession(db, row({ session: "old", started_at: 10 }));
    recordSession(db, row({ session: "earlier-boot", boot_id: "boot-0", started_at: 5_000 }));
    recordSession(db, row({ session: "recent", started_at: 5_000 }));
    // Its first owner is older than the cut, its second not: dropping only the first would let the second prove it gone.
    recordSession(db, row({ session: "resumed", started_at: 10 }));
    recordSession(db, row({ session: "resumed", owner_pid: 950, started_at: 5_000 }));
    expect(removeOldSessions(db, "boot-a", 1_000)).toBe(2);
    expect([...sessionsOfBoot(db, "boot-a").keys()].sort()).toEqual([sessionKey("claude-code", "recent"), sessionKey("claude-code", "resumed")]);
    expect(owners(db, "claude-code", "resumed")).toEqual([[950, 100], [900, 100]]);
  });

  test("latestSession is the newest owner of the id, whichever agent; sessionOwners lists them all", () => {
    const db = ledger();
    recordSession(db, row({ agent: "gemini", owner_pid: 960, started_at: 3_000, boot_id: "boot-0" }));
    recordSession(db, row({ agent: "codex", started_at: 1_000 }));
    recordSession(db, row({ agent: "codex", owner_pid: 950, started_at: 2_000 }));
    expect(latestSession(db, "s1", "boot-a")).toMatchObject({ agent: "codex", owner_pid: 950 });
    expect(sessionOwners(db, "s1", "boot-a").map((r) => r.owner_pid)).toEqual([950, 900]);
    expect(latestSession(db, "nope", "boot-a")).toBeNull();
  });

  test("migration 8 keeps the sessions recorded before it", () => {
    const db = ledger(MIGRATIONS.slice(0, 7));
    db.query("INSERT INTO sessions VALUES ('codex', 't1', 'boot-a', 900, 100, 'pid:[1]', '/p', 1000)").run();
    for (const migration of MIGRATIONS.slice(7)) db.run(migration);
    recordSession(db, row({ agent: "codex", session: "t1", owner_pid: 950, started_at: 2_000 }));
    expect(owners(db, "codex", "t1")).toEqual([[950, 100], [900, 100]]);
  });
});
