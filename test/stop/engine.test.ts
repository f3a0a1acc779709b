// The stop engine against real processes: a batch shares one /proc scan per poll, a stop with
// no SIGKILL to follow waits at most 10 s, a second request cuts an unbounded grace short,
// process targets are reached through their proven group, and a deadline bounds everything.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { identityOf } from "../../src/proc/identity.ts";
import { scanProcesses, type EntryRef } from "../../src/proc/scan.ts";
import { readStat } from "../../src/proc/stat.ts";
import { stopAll, stopOne, UNESCALATED_WAIT_MS, type Stop } from "../../src/stop/engine.ts";
import { entryPolicy } from "../../src/stop/entry-policy.ts";
import type { StopPath } from "../../src/policy/lifecycle.ts";
import { isAlive, waitFor } from "../helpers/sandbox.ts";

const KEEP = { protect: ["pytest"], sessionKeep: ["tmux"] };
const policy = (path: StopPath, keepOrphaned = false) => entryPolicy(path, { keepOrphaned, sessionBound: false }, KEEP);
const KILL = policy("kill");

setDefaultTimeout(30_000);
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

/** A command in its own session and group, as the wrapper starts one; its ref as the ledger would hold it. */
async function leader(script: string): Promise<EntryRef> {
  const proc = Bun.spawn(["sh", "-c", `${script}`], { stdio: ["ignore", "pipe", "ignore"], detached: true });
  started.push(proc.pid);
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const stat = readStat(proc.pid)!;
  return { id: `t${proc.pid}`, pgid: proc.pid, leader: identityOf(stat), sinceTicks: stat.startTicks };
}

describe("stopAll: ledger entries", () => {
  test("a batch shares one /proc scan per poll: five stops, not five scans a round", async () => {
    const refs = await Promise.all(Array.from({ length: 5 }, () => leader("echo ready; exec sleep 100")));
    let scans = 0;
    const reports = await stopAll(
      refs.map((ref) => ({ target: { entry: ref, policy: KILL }, signal: 15, graceMs: 5_000 })),
      { scanAll: () => (scans++, scanProcesses()) },
    );
    expect(reports.map((r) => [r.outcome, r.signal, r.pending])).toEqual(Array(5).fill(["terminated", "TERM", false]));
    for (const r of reports) expect(r.durationMs).toBeGreaterThanOrEqual(0);
    // One scan to find them all, then one per poll until every one is gone.
    expect(scans).toBeGreaterThanOrEqual(2);
    expect(scans).toBeLessThan(5);
  });

  test("grace none (no SIGKILL to follow) against a TERM-ignoring command: still alive, reported after the bounded wait, never killed", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const t0 = Date.now();
    expect(await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: Number.POSITIVE_INFINITY })).toBe("failed");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(UNESCALATED_WAIT_MS);
    expect(isAlive(ref.pgid!)).toBe(true);
  });

  test("a second request (hurry) during an unbounded grace sends SIGKILL", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const hurry = { now: false };
    let escalated = false;
    const stopping = stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: Number.POSITIVE_INFINITY, hurry, onEscalate: () => (escalated = true) });
    hurry.now = true;
    expect(await stopping).toBe("killed");
    expect(escalated).toBe(true);
    await waitFor(() => !isAlive(ref.pgid!), 5_000, "the group to be gone");
  });

  test("an empty batch and a batch of the already gone", async () => {
    expect(await stopAll([])).toEqual([]);
    const ref = await leader("echo ready");
    await waitFor(() => !isAlive(ref.pgid!), 5_000, "it to exit");
    const gone: Stop = { target: { entry: ref, policy: KILL }, signal: 15, graceMs: 100 };
    expect(await stopAll([gone, gone])).toEqual(Array(2).fill({ outcome: "gone", signal: null, durationMs: null, pending: false }));
  });
});

describe("stopAll: an entry's keep marks, by path (src/policy/lifecycle.ts)", () => {
  /** A group whose leader ignores TERM-free waiting, with one SUPERVISE_KEEP=1 member and one plain member; their pids. */
  async function groupWithKeptMember(): Promise<{ ref: EntryRef; kept: number; plain: number }> {
    const ref = await leader("SUPERVISE_KEEP=1 sleep 101 & sleep 102 & echo ready; wait");
    await waitFor(() => scanProcesses().filter((p) => p.pgrp === ref.pgid && p.comm === "sleep").length === 2, 5_000, "both sleeps");
    const sleeps = scanProcesses().filter((p) => p.pgrp === ref.pgid && p.comm === "sleep");
    const environ = (pid: number) => Bun.file(`/proc/${pid}/environ`).text();
    const marks = await Promise.all(sleeps.map(async (p) => (await environ(p.pid)).split("\0").includes("SUPERVISE_KEEP=1")));
    for (const p of sleeps) started.push(p.pid);
    return { ref, kept: sleeps[marks.indexOf(true)]!.pid, plain: sleeps[marks.indexOf(false)]!.pid };
  }

  test("leftovers: a SUPERVISE_KEEP=1 member is left running, the rest of its group is ended one by one", async () => {
    const { ref, kept, plain } = await groupWithKeptMember();
    expect(await stopOne({ entry: ref, policy: policy("leftovers") }, { signal: 15, graceMs: 2_000 })).toBe("terminated");
    expect([isAlive(kept), isAlive(plain), isAlive(ref.pgid!)]).toEqual([true, false, false]);
  });

  test("parent-died and session-end honour the mark too; kill ends it", async () => {
    for (const path of ["parent-died", "session-end"] as const) {
      const { ref, kept, plain } = await groupWithKeptMember();
      await stopOne({ entry: ref, policy: policy(path) }, { signal: 15, graceMs: 2_000 });
      expect([path, isAlive(kept), isAlive(plain)]).toEqual([path, true, false]);
    }
    const { ref, kept } = await groupWithKeptMember();
    expect(await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: 2_000 })).toBe("terminated");
    await waitFor(() => !isAlive(kept), 5_000, "the kept member to end on kill");
  });

  test("the deadline reaches its own group whole, the kept member included", async () => {
    const { ref, kept } = await groupWithKeptMember();
    expect(await stopOne({ entry: ref, policy: policy("deadline") }, { signal: 15, graceMs: 2_000 })).toBe("terminated");
    expect(isAlive(kept)).toBe(false);
  });

  test("leftovers of a --keep-orphaned entry: nothing is signalled", async () => {
    const ref = await leader("echo ready; exec sleep 100");
    expect(await stopOne({ entry: ref, policy: policy("leftovers", true) }, { signal: 15, graceMs: 500 })).toBe("gone");
    expect(isAlive(ref.pgid!)).toBe(true);
  });

  test("an entry recorded in another pid namespace: nothing is signalled, whatever the path", async () => {
    const ref = await leader("echo ready; exec sleep 100");
    for (const path of ["kill", "deadline", "leftovers"] as const) {
      expect(await stopOne({ entry: { ...ref, namespace: "pid:[1]" }, policy: policy(path) }, { signal: 9, graceMs: 100 })).toBe("gone");
    }
    expect(isAlive(ref.pgid!)).toBe(true);
  });
});

describe("stopAll: identified processes (the reaper's, SessionEnd's)", () => {
  test("members of one proven group are reached through it, each judged by its own end; a TERM-ignoring one is killed", async () => {
    const ref = await leader("sleep 100 & trap '' TERM; echo ready; while :; do sleep 0.05; done");
    // The background child may not have exec'd sleep yet when "ready" arrives.
    const isSleeper = (p: { pid: number; ppid: number }) => p.pid !== ref.pgid && readStat(p.pid)?.comm === "sleep" && p.ppid === ref.pgid;
    await waitFor(() => scanProcesses().some((p) => p.pgrp === ref.pgid && isSleeper(p)), 5_000, "the background sleep");
    const members = scanProcesses().filter((p) => p.pgrp === ref.pgid);
    const sleeper = members.find(isSleeper)!;
    expect(sleeper).toBeDefined();
    const group = { pgid: ref.pgid!, members };
    const reports = await stopAll([ref.leader!, identityOf(sleeper)].map((process) => ({ target: { process, group }, signal: 15, graceMs: 300 })));
    expect(reports.map((r) => [r.outcome, r.signal])).toEqual([
      ["killed", "KILL"],
      ["terminated", "TERM"],
    ]);
  });

  test("a process that may not be signalled (pid 1) fails at once, with no signal sent and nothing pending", async () => {
    const t0 = Date.now();
    const [report] = await stopAll([{ target: { process: identityOf(readStat(1)!) }, signal: 15, graceMs: 5_000 }]);
    expect(report).toEqual({ outcome: "failed", signal: null, durationMs: null, pending: false });
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  test("endBy bounds the whole stop, SIGKILL included: a grace longer than the budget is cut short", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const t0 = Date.now();
    const [report] = await stopAll([{ target: { process: ref.leader! }, signal: 15, graceMs: 60_000, endBy: t0 + 1_500 }]);
    expect(report!.outcome).toBe("killed");
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  test("a process already gone is reported gone, with nothing sent", async () => {
    const ref = await leader("echo ready");
    await waitFor(() => !isAlive(ref.pgid!), 5_000, "it to exit");
    expect(await stopOne({ process: ref.leader! }, { signal: 15, graceMs: 100 })).toBe("gone");
  });
});
