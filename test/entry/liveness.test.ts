// The one rule for whether a running row's processes are alive, over injected /proc facts:
// every combination of pid namespace, wrapper, first process and scan, zombies and reused
// pids included.

import { describe, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { inRecordedNamespace, isFinished, liveState, wrapperAlive, type LiveReader } from "../../src/entry/liveness.ts";
import type { EntryRow } from "../../src/ledger/entries.ts";
import { bootId } from "../../src/proc/boot.ts";
import { type ProcStat } from "../../src/proc/stat.ts";

const WRAPPER = 100;
const LEADER = 101;
const CARRIER = 150;
/** Carries the entry's cookie inside its group: proves the group ours. */
const MEMBER = 102;
/** The reader's pid namespace, and a sandbox's (bwrap --unshare-pid, a container sharing the state dir). */
const OURS = "pid:[4026531836]";
const THEIRS = "pid:[4026532187]";

function row(overrides: Partial<EntryRow> = {}): EntryRow {
  return {
    id: "e1", boot_id: bootId(), pid: LEADER, pgid: LEADER, start_ticks: 1_001, wrapper_pid: WRAPPER, wrapper_start_ticks: 1_000,
    command: '["x"]', cwd: "/", session: null, name: null, started_at: 0, deadline_at: null, grace_ms: null, first_signal: "TERM",
    keep_orphaned: 0, state: "running", ended_at: null, exit_code: null, end_signal: null, reason: null, stop_reason: null,
    owner_pid: null, owner_start_ticks: null, exit_status: null, pid_namespace: null, session_bound: 0, ...overrides,
  };
}

function proc(pid: number, startTicks: number, state = "S", pgrp = pid): ProcStat {
  return { pid, comm: "x", state, ppid: 1, pgrp, session: pgrp, ttyNr: 0, flags: 0, utimeTicks: 0, stimeTicks: 0, startTicks, rssPages: 0 } as ProcStat;
}

/** A world of processes; the scan counts its calls, and CARRIER and MEMBER carry the entry's cookie. */
function world(procs: ProcStat[], namespace: string | null = OURS): LiveReader & { scans: number } {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const w = {
    scans: 0,
    namespace: () => namespace,
    stat: (pid: number) => byPid.get(pid) ?? null,
    scan: () => (w.scans++, procs.filter((p) => p.state !== "Z")),
    probe: { carriesCookie: (pid: number, id: string) => (pid === CARRIER || pid === MEMBER) && id === "e1", currentLeader: () => null },
  };
  return w;
}

describe("liveState", () => {
  test.each([
    ["wrapper alive", [proc(WRAPPER, 1_000)], {}, "running", 0],
    ["wrapper alive, nothing of the command", [proc(WRAPPER, 1_000)], {}, "running", 0],
    ["wrapper gone, first process alive (no scan)", [proc(LEADER, 1_001)], {}, "orphaned", 0],
    ["wrapper a zombie, first process alive", [proc(WRAPPER, 1_000, "Z"), proc(LEADER, 1_001)], {}, "orphaned", 0],
    ["wrapper pid reused by a younger process", [proc(WRAPPER, 5_000), proc(LEADER, 1_001)], {}, "orphaned", 0],
    ["wrapper and first process gone, a cookie carrier alive", [proc(CARRIER, 1_200, "S", 150)], {}, "orphaned", 1],
    ["wrapper and first process gone, a proven group member alive", [proc(MEMBER, 1_002, "S", LEADER)], {}, "orphaned", 1],
    ["a group member that cannot be proven ours does not count", [proc(103, 1_002, "S", LEADER)], {}, "lost", 1],
    ["a cookie carrier older than the wrapper cannot be the entry's", [proc(CARRIER, 900, "S", 150)], {}, "lost", 1],
    ["nothing alive", [], {}, "lost", 1],
    ["first process a zombie, nothing else", [proc(LEADER, 1_001, "Z")], {}, "lost", 1],
    ["wrapper identity never recorded, first process alive", [proc(LEADER, 1_001)], { wrapper_start_ticks: null }, "running", 0],
    ["wrapper identity never recorded, nothing alive", [], { wrapper_start_ticks: null }, "lost", 1],
    ["another boot: its pids name other processes", [proc(WRAPPER, 1_000), proc(LEADER, 1_001)], { boot_id: "other-boot" }, "lost", 1],
    ["ended rows keep their recorded state", [], { state: "exited", ended_at: 5 }, "exited", 0],
    ["recorded in our pid namespace: judged as ever", [proc(LEADER, 1_001)], { pid_namespace: OURS }, "orphaned", 0],
    ["recorded in our pid namespace, nothing alive: lost", [], { pid_namespace: OURS }, "lost", 1],
    ["another pid namespace, nothing alive here: unknown, never lost", [], { pid_namespace: THEIRS }, "unknown", 0],
    ["another pid namespace, its wrapper's pid and start tick match a live process here", [proc(WRAPPER, 1_000)], { pid_namespace: THEIRS }, "unknown", 0],
    ["another pid namespace, a cookie carrier alive here: unknown, never orphaned", [proc(CARRIER, 1_200, "S", 150)], { pid_namespace: THEIRS }, "unknown", 0],
    [
      "a wrapper that was pid 1 of its namespace, this namespace's pid 1 with the same start tick",
      [proc(1, 1_000), proc(LEADER, 1_001)],
      { pid_namespace: THEIRS, wrapper_pid: 1 },
      "unknown",
      0,
    ],
    ["another pid namespace and another boot: still unknown, as the sweep judges it", [], { pid_namespace: THEIRS, boot_id: "other-boot" }, "unknown", 0],
    ["another pid namespace, ended: its recorded state", [], { pid_namespace: THEIRS, state: "exited", ended_at: 5 }, "exited", 0],
    ["another pid namespace, recorded lost: its recorded state", [], { pid_namespace: THEIRS, state: "lost", ended_at: 5 }, "lost", 0],
    ["hostile namespace text: not ours", [proc(WRAPPER, 1_000)], { pid_namespace: "" }, "unknown", 0],
  ] as const)("%s", (_, procs, overrides, expected, scans) => {
    const w = world([...procs]);
    expect(liveState(row(overrides as Partial<EntryRow>), w)).toBe(expected);
    expect(w.scans).toBe(scans);
  });

  test.each([
    ["our namespace unreadable, the entry recorded one: unknown", { pid_namespace: OURS }, "unknown"],
    ["our namespace unreadable, an entry from before v7: judged as ever", { pid_namespace: null }, "running"],
  ] as const)("%s", (_, overrides, expected) => {
    expect(liveState(row(overrides), world([proc(WRAPPER, 1_000)], null))).toBe(expected);
  });
});

describe("inRecordedNamespace", () => {
  test.each([
    ["before v7 (null)", null, OURS, true],
    ["before v7 (absent)", undefined, OURS, true],
    ["ours", OURS, OURS, true],
    ["another", THEIRS, OURS, false],
    ["ours unreadable", OURS, null, null],
    ["empty text", "", OURS, false],
    ["same inode, other type", "mnt:[4026531836]", OURS, false],
  ] as const)("%s", (_, recorded, own, expected) => {
    expect(inRecordedNamespace({ namespace: recorded }, () => own)).toBe(expected);
  });

  test("reads this process's own namespace by default", () => {
    expect(inRecordedNamespace({ namespace: readlinkSync("/proc/self/ns/pid") })).toBe(true);
    expect(inRecordedNamespace({ namespace: "pid:[0]" })).toBe(false);
  });
});

describe("isFinished", () => {
  test.each([
    ["running", false],
    ["orphaned", false],
    ["unknown", false],
    ["exited", true],
    ["killed", true],
    ["lost", true],
  ] as const)("%s: %p", (state, expected) => {
    expect(isFinished(state)).toBe(expected);
  });
});

describe("wrapperAlive", () => {
  test("true, false, or null when no identity was recorded", () => {
    expect(wrapperAlive(row(), world([proc(WRAPPER, 1_000)]).stat)).toBe(true);
    expect(wrapperAlive(row(), world([proc(WRAPPER, 1_000, "Z")]).stat)).toBe(false);
    expect(wrapperAlive(row({ wrapper_start_ticks: null }), world([proc(WRAPPER, 1_000)]).stat)).toBeNull();
  });
});
