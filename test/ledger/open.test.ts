import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { existingLedger, isCorruption, ledgerPath, openLedger } from "../../src/ledger/open.ts";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { getEntry, insertEntry, recordEnd, recordSpawned } from "../../src/ledger/entries.ts";
import { writeLedgerAtV4 } from "../helpers/ledger.ts";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = mkdtempSync(join(tmpdir(), "supervise-ledger-")));

describe("openLedger", () => {
  test("creates a WAL ledger at the current schema version, idempotently", () => {
    fresh();
    openLedger(dir).db.close();
    const { db } = openLedger(dir);
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  test("a reader finds no ledger (null) without creating one, in a missing or empty state dir", async () => {
    fresh();
    expect(existingLedger(join(dir, "not-there"))).toBeNull();
    expect(existingLedger(dir)).toBeNull();
    expect(existsSync(ledgerPath(dir))).toBe(false);
    expect(existsSync(join(dir, "not-there"))).toBe(false);
  });

  test("a ledger path that exists but cannot be opened is an error, not 'no ledger'", async () => {
    fresh();
    mkdirSync(ledgerPath(dir));
    expect(() => existingLedger(dir)).toThrow(/ledger unavailable/);
  });

  test("a reader of a corrupt file fails naming it and leaves it; a writer's reader moves it aside and sees none", () => {
    fresh();
    writeFileSync(ledgerPath(dir), "x".repeat(4096));
    expect(() => existingLedger(dir)).toThrow(`ledger ${ledgerPath(dir)} is corrupt`);
    expect(Bun.file(ledgerPath(dir)).size).toBe(4096);
    const moved: string[] = [];
    expect(existingLedger(dir, { onMovedAside: (target) => moved.push(target) })).toBeNull();
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatch(/ledger\.db\.corrupt-/);
    expect(existsSync(ledgerPath(dir))).toBe(false);
    expect(Bun.file(moved[0]!).size).toBe(4096);
  });

  test("a reader of a ledger whose creator has not written the schema yet sees none, and leaves it alone", async () => {
    fresh();
    writeFileSync(ledgerPath(dir), "");
    expect(existingLedger(dir)).toBeNull();
    const db = new Database(ledgerPath(dir));
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: 0 });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
    db.close();
    openLedger(dir).db.close();
    const reader = (existingLedger(dir))!;
    expect(reader.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    reader.close();
  });

  test("refuses a ledger from a newer schema instead of guessing", () => {
    fresh();
    const db = new Database(ledgerPath(dir));
    db.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openLedger(dir)).toThrow(/newer than this supervise understands/);
  });

  test("moves a corrupt file aside with its WAL", () => {
    fresh();
    writeFileSync(ledgerPath(dir), "x".repeat(4096));
    writeFileSync(`${ledgerPath(dir)}-wal`, "stale");
    const { db, movedAside } = openLedger(dir);
    expect(movedAside).toMatch(/ledger\.db\.corrupt-/);
    expect(Bun.file(`${movedAside}-wal`).size).toBe(5);
    db.close();
  });

  test.each([
    [{ code: "SQLITE_NOTADB" }, true],
    [{ code: "SQLITE_CORRUPT" }, true],
    [{ code: "SQLITE_CORRUPT_INDEX" }, true],
    [{ code: "SQLITE_BUSY" }, false],
    [{ code: "SQLITE_LOCKED" }, false],
    [{ code: "SQLITE_CANTOPEN" }, false],
    [new Error("x"), false],
    [null, false],
  ])("isCorruption(%p) = %p", (error, expected) => {
    expect(isCorruption(error)).toBe(expected);
  });
});

describe("upgrading a ledger in place", () => {
  test("v4 with rows: a reader migrates it to the current version, every row kept, exit_status null", async () => {
    fresh();
    writeLedgerAtV4(ledgerPath(dir));
    const db = (existingLedger(dir))!;
    expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    expect(getEntry(db, "exited0003")).toMatchObject({ state: "exited", exit_code: 3, exit_status: null });
    expect(getEntry(db, "deadline04")).toMatchObject({ state: "killed", reason: "deadline", exit_status: null });
    db.close();
  });

  test("v4 with rows: a writer migrates it and records the wrapper's status in the new column", () => {
    fresh();
    writeLedgerAtV4(ledgerPath(dir));
    const { db } = openLedger(dir);
    insertEntry(db, {
      id: "new0000005", boot_id: "b", wrapper_pid: 10, wrapper_start_ticks: 5, command: '["x"]', cwd: "/", session: null, name: null,
      started_at: 3, deadline_at: null, grace_ms: 3000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
    });
    recordEnd(db, "new0000005", { by: "wrapper", at: 4, stop: "signal", outcome: "killed", exitCode: null, endSignal: "KILL", exitStatus: 143 });
    expect(getEntry(db, "new0000005")).toMatchObject({ exit_status: 143, end_signal: "KILL" });
    expect(getEntry(db, "exited0003")).toMatchObject({ exit_code: 3, exit_status: null });
    db.close();
  });
});

describe("entries", () => {
  test("the first recorded end wins", () => {
    fresh();
    const { db } = openLedger(dir);
    insertEntry(db, {
      id: "e1", boot_id: "b", wrapper_pid: 10, wrapper_start_ticks: 5, command: '["x"]', cwd: "/", session: null, name: null,
      started_at: 1, deadline_at: null, grace_ms: 3000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
    });
    recordSpawned(db, "e1", 11, 11, 6);
    expect(recordEnd(db, "e1", { by: "sweep", at: 2, verdict: "overdue", targets: [{ outcome: "terminated", signal: "TERM" }], commandAlive: false })).toBe(true);
    expect(recordEnd(db, "e1", { by: "wrapper", at: 3, stop: null, outcome: "gone", exitCode: 0, endSignal: null, exitStatus: 124 })).toBe(false);
    // The end stands as first recorded; the wrapper's own status, recorded second, is kept.
    expect(getEntry(db, "e1")).toMatchObject({ pid: 11, start_ticks: 6, state: "killed", reason: "overdue", ended_at: 2, exit_status: 124 });
    expect(recordEnd(db, "e1", { by: "wrapper", at: 4, stop: null, outcome: "gone", exitCode: 0, endSignal: null, exitStatus: 0 })).toBe(false);
    expect(getEntry(db, "e1")).toMatchObject({ exit_status: 124 });
    db.close();
  });
});
