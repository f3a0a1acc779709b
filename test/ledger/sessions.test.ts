// The sessions table: recorded by SessionStart, replaced on resume, read by boot, bounded.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { recordSession, removeOldSessions, sessionKey, sessionsOfBoot, type SessionRow } from "../../src/ledger/sessions.ts";

function ledger(): Database {
  const db = new Database(":memory:", { strict: true });
  for (const migration of MIGRATIONS) db.run(migration);
  return db;
}

const row = (over: Partial<SessionRow> = {}): SessionRow => ({
  agent: "claude-code", session: "s1", boot_id: "boot-a", owner_pid: 900, owner_start_ticks: 100, pid_namespace: "pid:[1]", cwd: "/p", started_at: 1_000, ...over,
});

describe("sessions", () => {
  test("recorded, and a resumed session (a new agent process) replaces its owner", () => {
    const db = ledger();
    recordSession(db, row());
    recordSession(db, row({ owner_pid: 950, owner_start_ticks: 200, started_at: 2_000 }));
    recordSession(db, row({ agent: "gemini", owner_pid: 960 }));
    const byKey = sessionsOfBoot(db, "boot-a");
    expect(byKey.size).toBe(2);
    expect(byKey.get(sessionKey("claude-code", "s1"))).toMatchObject({ owner_pid: 950, owner_start_ticks: 200, started_at: 2_000 });
    expect(byKey.get(sessionKey("gemini", "s1"))).toMatchObject({ owner_pid: 960 });
    expect(sessionsOfBoot(db, "boot-b").size).toBe(0);
  });

  test("bounded: an earlier boot's sessions and those older than the cut go", () => {
    const db = ledger();
    recordSession(db, row({ session: "old", started_at: 10 }));
    recordSession(db, row({ session: "earlier-boot", boot_id: "boot-0", started_at: 5_000 }));
    recordSession(db, row({ session: "recent", started_at: 5_000 }));
    expect(removeOldSessions(db, "boot-a", 1_000)).toBe(2);
    expect([...sessionsOfBoot(db, "boot-a").values()].map((r) => r.session)).toEqual(["recent"]);
  });
});
