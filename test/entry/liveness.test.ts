// The one rule for whether a running row's processes are alive, over injected /proc facts:
// every combination of wrapper, first process and scan, zombies and reused pids included.

import { describe, expect, test } from "bun:test";
import { liveState, wrapperAlive, type LiveReader } from "../../src/entry/liveness.ts";
import type { EntryRow } from "../../src/ledger/entries.ts";
import { bootId } from "../../src/proc/boot.ts";
import { type ProcStat } from "../../src/proc/stat.ts";

const WRAPPER = 100;
const LEADER = 101;
const CARRIER = 150;
/** Carries the entry's cookie inside its group: proves the group ours. */
const MEMBER = 102;

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
function world(procs: ProcStat[]): LiveReader & { scans: number } {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const w = {
    scans: 0,
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
  ] as const)("%s", (_, procs, overrides, expected, scans) => {
    const w = world([...procs]);
    expect(liveState(row(overrides as Partial<EntryRow>), w)).toBe(expected);
    expect(w.scans).toBe(scans);
  });
});

describe("wrapperAlive", () => {
  test("true, false, or null when no identity was recorded", () => {
    expect(wrapperAlive(row(), world([proc(WRAPPER, 1_000)]).stat)).toBe(true);
    expect(wrapperAlive(row(), world([proc(WRAPPER, 1_000, "Z")]).stat)).toBe(false);
    expect(wrapperAlive(row({ wrapper_start_ticks: null }), world([proc(WRAPPER, 1_000)]).stat)).toBeNull();
  });
});
