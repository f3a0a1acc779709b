// How recordEnd applies src/entry/end.ts to the row it reads in its transaction: a stop
// asked for (stop_reason) meets the wrapper's record, a stop that reached nothing is
// withdrawn, the first writer wins; and which finished rows gc may delete.

import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { deleteFinished, finishedByRule, getEntry, insertEntry, parseStopOwner, recordEnd, recordLost, requestStop, stopOwnerText, type EndReason, type EntryEnd } from "../../src/ledger/entries.ts";
import { bootId } from "../../src/proc/boot.ts";
import { MIGRATIONS } from "../../src/ledger/schema.ts";
import { readNow } from "../../src/proc/facts.ts";

function ledgerWith(...ids: string[]): Database {
  const db = new Database(":memory:", { strict: true });
  for (const migration of MIGRATIONS) db.run(migration);
  for (const id of ids) {
    insertEntry(db, {
      id, boot_id: "b", wrapper_pid: 10, wrapper_start_ticks: 5, command: '["x"]', cwd: "/", session: null, name: null,
      started_at: 1, deadline_at: null, grace_ms: 3000, first_signal: "TERM", keep_orphaned: 0, owner_pid: null, owner_start_ticks: null, pid_namespace: null, session_bound: 0,
    });
  }
  return db;
}

const wrapperEnd = (stop: "deadline" | "signal" | "parent-died" | "leftovers" | null, exitStatus = 143): EntryEnd => ({
  by: "wrapper", at: 2, stop, outcome: stop === null ? "gone" : "terminated", exitCode: null, endSignal: "TERM", exitStatus,
});
const stopperEnd = (outcome: "terminated" | "failed" | "gone", wrapperAlive: boolean): EntryEnd => ({
  by: "stopper", at: 3, reason: "manual", outcome, sent: outcome === "terminated" ? "TERM" : null, signalledBefore: null, sameNamespace: true, wrapperAlive, commandAlive: outcome === "failed", survivors: outcome === "failed" ? 1 : 0,
});

describe("recordEnd with a stop asked for", () => {
  test.each([
    ["the command 'exited' (our signal killed it)", "manual", wrapperEnd(null), ["killed", "manual"]],
    ["the wrapper ended it on its parent's death (the sweep ended the shell above it)", "owner-dead", wrapperEnd("parent-died"), ["killed", "owner-dead"]],
    ["the wrapper ended it on a signal (SessionEnd's stop of the session's tree)", "session-end", wrapperEnd("signal"), ["killed", "session-end"]],
    ["the deadline came first: it stays the reason", "manual", wrapperEnd("deadline"), ["killed", "deadline"]],
    ["leftovers after its own exit", "manual", wrapperEnd("leftovers"), ["killed", "manual"]],
    ["no stop asked for: the wrapper's reason", null, wrapperEnd("parent-died"), ["killed", "parent-died"]],
  ] as const)("%s", (_, stop, recorded, expected) => {
    const db = ledgerWith("e1");
    if (stop) requestStop(db, "e1", stop as EndReason);
    expect(recordEnd(db, "e1", recorded)).toBe(true);
    const row = getEntry(db, "e1")!;
    expect([row.state, row.reason]).toEqual([...expected]);
    expect(row.exit_status).toBe(143);
  });
});

describe("recordEnd", () => {
  test("a kill that failed withdraws its stop: the command's own exit is then recorded as such", () => {
    const db = ledgerWith("e1");
    requestStop(db, "e1", "manual");
    expect(recordEnd(db, "e1", stopperEnd("failed", true))).toBe(false);
    expect(getEntry(db, "e1")).toMatchObject({ ended_at: null, stop_reason: null });
    expect(recordEnd(db, "e1", { by: "wrapper", at: 4, stop: null, outcome: "gone", exitCode: 3, endSignal: null, exitStatus: 3 })).toBe(true);
    expect(getEntry(db, "e1")).toMatchObject({ state: "exited", reason: null, exit_code: 3, exit_status: 3, ended_at: 4 });
  });

  test("first writer wins; the wrapper's exit status, recorded second, is kept, once", () => {
    const db = ledgerWith("e1");
    requestStop(db, "e1", "manual");
    expect(recordEnd(db, "e1", stopperEnd("terminated", true))).toBe(true);
    expect(recordEnd(db, "e1", wrapperEnd(null, 143))).toBe(false);
    expect(recordEnd(db, "e1", wrapperEnd(null, 0))).toBe(false);
    expect(recordLost(db, "e1", 9)).toBe(false);
    expect(getEntry(db, "e1")).toMatchObject({ state: "killed", reason: "manual", end_signal: "TERM", ended_at: 3, exit_status: 143, stop_reason: "manual" });
  });

  test("a sweep that reached nothing records nothing; lost is recorded; an unknown id is no row", () => {
    const db = ledgerWith("e1", "e2");
    expect(recordEnd(db, "e1", { by: "sweep", at: 2, verdict: "owner-dead", targets: [], commandAlive: true })).toBe(false);
    expect(getEntry(db, "e1")).toMatchObject({ state: "running", ended_at: null });
    expect(recordEnd(db, "e2", { by: "sweep", at: 2, verdict: "lost", targets: [], commandAlive: false })).toBe(true);
    expect(getEntry(db, "e2")).toMatchObject({ state: "lost", reason: null, ended_at: 2 });
    expect(recordEnd(db, "nope", wrapperEnd(null))).toBe(false);
    expect(getEntry(db, "nope")).toBeNull();
  });
});

describe("who asked for a stop (stop_owner)", () => {
  const self = { bootId: bootId(), pid: process.pid, startTicks: readNow.stat(process.pid)!.startTicks };
  // This process's pid with another start time: a process that is gone, its pid maybe reused.
  const gone = { ...self, startTicks: self.startTicks + 1 };
  const exited5: EntryEnd = { by: "wrapper", at: 4, stop: null, outcome: "gone", exitCode: 5, endSignal: null, exitStatus: 5 };
  const diedOfTerm: EntryEnd = { by: "wrapper", at: 4, stop: null, outcome: "gone", exitCode: null, endSignal: "TERM", exitStatus: 143 };
  const stopOwner = (db: Database) => (db.query("SELECT stop_owner FROM entries WHERE id = 'e1'").get() as { stop_owner: string | null }).stop_owner;

  test.each([
    ["asked by a live process: the command's exit in its grace is its stop", self, exited5, ["killed", "manual"]],
    ["asked by one gone (SIGKILLed during its grace): the command exited by itself", gone, exited5, ["exited", null]],
    ["asked by one gone, the command died of a signal: the stop reached it", gone, diedOfTerm, ["killed", "manual"]],
    ["asked with no owner recorded: it counts as long as it stands", null, exited5, ["killed", "manual"]],
  ] as const)("%s", (_, owner, end, expected) => {
    const db = ledgerWith("e1");
    expect(requestStop(db, "e1", "manual", owner)).toBe(true);
    expect(stopOwner(db)).toBe(owner && stopOwnerText(owner));
    expect(recordEnd(db, "e1", end)).toBe(true);
    const row = getEntry(db, "e1")!;
    expect([row.state, row.reason]).toEqual([...expected]);
  });

  test("a withdrawn stop forgets its owner too", () => {
    const db = ledgerWith("e1", "e2");
    requestStop(db, "e1", "manual", self);
    requestStop(db, "e1", null, self);
    expect(getEntry(db, "e1")).toMatchObject({ stop_reason: null });
    expect(stopOwner(db)).toBeNull();
    requestStop(db, "e1", "manual", self);
    expect(recordEnd(db, "e1", stopperEnd("failed", true))).toBe(false);
    expect(stopOwner(db)).toBeNull();
  });

  test.each<[string, string | null, { bootId: string; pid: number; startTicks: number } | null]>([
    ["as written", "3f2a-b:4242:98765", { bootId: "3f2a-b", pid: 4242, startTicks: 98765 }],
    ["a boot id holding a colon", "a:b:7:0", { bootId: "a:b", pid: 7, startTicks: 0 }],
    ["null", null, null],
    ["empty", "", null],
    ["no boot id", ":1:2", null],
    ["pid 0", "b:0:2", null],
    ["negative pid", "b:-1:2", null],
    ["not numbers", "b:x:y", null],
    ["leading zeros", "b:01:2", null],
    ["too many digits", "b:1:99999999999999999999", null],
    ["SQL", "'; DROP TABLE entries; --", null],
    ["a newline", "b:1:2\n", null],
  ])("parseStopOwner: %s", (_, text, expected) => {
    expect(parseStopOwner(text)).toEqual(expected);
  });
});

describe("finished rows for gc", () => {
  test("by the rule, never a running row; deleteFinished deletes only finished rows of those named", () => {
    const db = ledgerWith("old", "new", "run");
    recordLost(db, "old", 10);
    recordLost(db, "new", 100);
    expect(finishedByRule(db, { endedBefore: 50, keepFinished: 10 }).map((r) => r.id)).toEqual(["old"]);
    expect(finishedByRule(db, { endedBefore: 0, keepFinished: 1 }).map((r) => r.id)).toEqual(["old"]);
    expect(finishedByRule(db, { endedBefore: 1000, keepFinished: 10 }).map((r) => r.id).sort()).toEqual(["new", "old"]);
    expect(finishedByRule(db, { endedBefore: 50, keepFinished: 10 })[0]).toEqual({ id: "old", boot_id: "b", wrapper_start_ticks: 5, start_ticks: null, pid_namespace: null });
    expect(deleteFinished(db, ["old", "run", "missing"])).toEqual(["old"]);
    expect(deleteFinished(db, [])).toEqual([]);
    expect(getEntry(db, "run")).not.toBeNull();
  });
});
