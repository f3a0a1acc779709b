import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SuperviseError, UsageError } from "../../src/errors.ts";
import { existingLedger, isContention, isCorruption, ledgerPath, ledgerReplaced, openLedger, readerFailure, setAsideCorrupt } from "../../src/ledger/open.ts";
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

describe("a ledger that changes under its connections", () => {
  const entry = (id: string) => ({
    id, boot_id: "b", wrapper_pid: 10, wrapper_start_ticks: 5, command: '["x"]', cwd: "/", session: null, name: null,
    started_at: 1, deadline_at: null, grace_ms: 3000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
  });

  test("setAsideCorrupt moves the file a connection opened, with its -wal and -shm", () => {
    fresh();
    const { db } = openLedger(dir);
    insertEntry(db, entry("e1"));
    const target = setAsideCorrupt(dir, db)!;
    expect(target).toMatch(/ledger\.db\.corrupt-.*-\d+$/);
    for (const suffix of ["", "-wal", "-shm"]) expect(existsSync(ledgerPath(dir) + suffix)).toBe(false);
    for (const suffix of ["", "-wal"]) expect(existsSync(target + suffix)).toBe(true);
    db.close();
    expect(openLedger(dir).db.query("SELECT count(*) AS n FROM entries").get()).toEqual({ n: 0 });
  });

  test("setAsideCorrupt leaves a newer ledger at the path alone (another writer moved the damaged one first)", () => {
    fresh();
    const first = openLedger(dir).db;
    const second = openLedger(dir).db;
    expect(setAsideCorrupt(dir, first)).not.toBeNull();
    const renewed = openLedger(dir).db;
    insertEntry(renewed, entry("kept"));
    expect(setAsideCorrupt(dir, second)).toBeNull();
    expect(getEntry(renewed, "kept")).not.toBeNull();
    expect(existsSync(ledgerPath(dir))).toBe(true);
    for (const db of [first, second, renewed]) db.close();
  });

  test("ledgerReplaced: false for the file opened, true once it is deleted or another takes its path", () => {
    fresh();
    const { db } = openLedger(dir);
    expect(ledgerReplaced(dir, db)).toBe(false);
    rmSync(ledgerPath(dir));
    expect(ledgerReplaced(dir, db)).toBe(true);
    const other = openLedger(dir).db;
    expect(ledgerReplaced(dir, db)).toBe(true);
    expect(ledgerReplaced(dir, other)).toBe(false);
    db.close();
    other.close();
  });

  test.each([
    ["deleted", (path: string) => rmSync(path)],
    ["truncated", (path: string) => truncateSync(path, 0)],
  ])("a ledger %s under its -wal: a writer sets what is left aside and starts a new one", (_, damage) => {
    fresh();
    // Another connection stays open (a wrapper's, a sweep's): the WAL keeps its frames.
    const { db } = openLedger(dir);
    insertEntry(db, entry("e1"));
    expect(Bun.file(`${ledgerPath(dir)}-wal`).size).toBeGreaterThan(0);
    damage(ledgerPath(dir));
    const opened = openLedger(dir);
    expect(opened.emptied).toBe(true);
    expect(opened.movedAside).toMatch(/ledger\.db\.corrupt-/);
    expect(statSync(`${opened.movedAside}-wal`).size).toBeGreaterThan(0);
    db.close();
    expect(getEntry(opened.db, "e1")).toBeNull();
    insertEntry(opened.db, entry("e2"));
    opened.db.close();
  });

  test.each(["-wal", "-shm"])("a %s that is not a regular file is refused, by reader and writer, naming it", (suffix) => {
    fresh();
    openLedger(dir).db.close();
    rmSync(ledgerPath(dir) + suffix, { force: true });
    mkdirSync(ledgerPath(dir) + suffix);
    expect(() => openLedger(dir)).toThrow(`ledger unavailable: ${ledgerPath(dir)}${suffix} is a directory, not a regular file`);
    expect(() => existingLedger(dir)).toThrow(`ledger unavailable: ${ledgerPath(dir)}${suffix} is a directory, not a regular file`);
  });

  test.each([
    [{ code: "SQLITE_BUSY" }, true],
    [{ code: "SQLITE_BUSY_SNAPSHOT" }, true],
    [{ code: "SQLITE_LOCKED" }, true],
    [new SuperviseError("ledger unavailable", { cause: { code: "SQLITE_BUSY" } }), true],
    [{ code: "SQLITE_CORRUPT" }, false],
    [{ code: "SQLITE_READONLY" }, false],
    [{ code: "SQLITE_FULL" }, false],
    [{ code: "EBUSY" }, false],
    [new Error("database is locked"), false],
    [null, false],
  ])("isContention(%p) = %p", (error, expected) => {
    expect(isContention(error)).toBe(expected);
  });
});

describe("readerFailure: what a reading command prints when the ledger fails a statement", () => {
  const dirFor = "/state";
  test.each([
    [{ code: "SQLITE_CORRUPT", message: "database disk image is malformed" }, "ledger /state/ledger.db is corrupt (database disk image is malformed (SQLITE_CORRUPT)); left as it is (run, reap, kill or gc move it aside)"],
    [{ code: "SQLITE_NOTADB", message: "file is not a database" }, "ledger /state/ledger.db is corrupt (file is not a database (SQLITE_NOTADB)); left as it is (run, reap, kill or gc move it aside)"],
    [{ code: "SQLITE_IOERR_READ", message: "disk I/O error" }, "ledger unavailable: disk I/O error (SQLITE_IOERR_READ)"],
    [{ code: "SQLITE_BUSY", message: "database is locked" }, "ledger unavailable: database is locked (SQLITE_BUSY)"],
  ])("%p: %p", (fields, line) => {
    const failure = readerFailure(dirFor, Object.assign(new Error(fields.message), { code: fields.code }));
    expect(failure).toBeInstanceOf(SuperviseError);
    expect((failure as Error).message).toBe(line);
  });

  test("anything not the ledger's is returned as it is (a usage error, a bug)", () => {
    const usage = new UsageError("no entry 'x'");
    const bug = new TypeError("x is undefined");
    expect(readerFailure(dirFor, usage)).toBe(usage);
    expect(readerFailure(dirFor, bug)).toBe(bug);
    expect(readerFailure(dirFor, "text")).toBe("text");
  });
});
