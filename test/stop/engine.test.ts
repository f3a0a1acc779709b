// The stop engine against real processes: a batch scans /proc only to begin, to freeze and to
// confirm an end (its polls read what it located), what a target forked meanwhile is found, a stop with
// no SIGKILL to follow waits at most 10 s, a second request cuts an unbounded grace short,
// process targets are reached through their proven group, a process target with a tree scope
// takes in what it forks meanwhile (and nothing else), and a deadline bounds everything.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { identityOf } from "../../src/proc/identity.ts";
import { descendantsOf, forkMark, scanProcesses, type EntryRef } from "../../src/proc/scan.ts";
import { stopAll, stopOne, UNESCALATED_WAIT_MS, type Stop, type TreeScope } from "../../src/stop/engine.ts";
import { entryPolicy } from "../../src/stop/entry-policy.ts";
import type { StopPath } from "../../src/policy/lifecycle.ts";
import { isAlive, pidsWithEnv, waitFor } from "../helpers/sandbox.ts";
import { readNow } from "../../src/proc/facts.ts";

const KEEP = { protect: ["pytest"], sessionKeep: ["tmux"] };
const policy = (path: StopPath, keepOrphaned = false) => entryPolicy(path, { keepOrphaned, sessionBound: false, asked: false }, KEEP);
const KILL = policy("kill");

setDefaultTimeout(30_000);
const started: number[] = [];
/** Every process of a tree test carries this, so that what the engine left is ended by pid afterwards. */
const RUN_MARK = `ENGINE_TEST_RUN=${process.pid}`;
afterEach(() => {
  for (const pid of [...started.splice(0), ...pidsWithEnv(RUN_MARK)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

/** A command in its own session and group, as the wrapper starts one; its ref as the ledger would hold it. */
async function leader(script: string, env?: Record<string, string>): Promise<EntryRef> {
  const proc = Bun.spawn(["sh", "-c", `${script}`], { stdio: ["ignore", "pipe", "ignore"], detached: true, env: env && { ...process.env, ...env } });
  started.push(proc.pid);
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const stat = readNow.stat(proc.pid)!;
  return { id: `t${proc.pid}`, pgid: proc.pid, leader: identityOf(stat), sinceTicks: stat.startTicks };
}

describe("stopAll: ledger entries", () => {
  test("a batch's polls read what it located: /proc is scanned to begin, to freeze and to confirm each end, not once a poll", async () => {
    // TERM ignored across the exec: five processes that fork nothing while they wait out a 1 s grace (20 polls or more).
    const refs = await Promise.all(Array.from({ length: 5 }, () => leader("trap '' TERM; echo ready; exec sleep 100")));
    let scans = 0;
    const started = performance.now();
    const reports = await stopAll(
      refs.map((ref) => ({ target: { entry: ref, policy: KILL }, signal: 15, graceMs: 1_000 })),
      { scanAll: () => (scans++, scanProcesses()) },
    );
    expect(reports.map((r) => [r.outcome, r.signal, r.pending])).toEqual(Array(5).fill(["killed", "KILL", false]));
    const took = performance.now() - started;
    // Each stop's duration is its own, within the batch's.
    for (const r of reports) expect(r.durationMs).toBeLessThanOrEqual(Math.ceil(took) + 1);
    // One to begin, two for the freeze (it found nothing new), then one a poll that sees some of them gone: at most one per target.
    expect(scans).toBeGreaterThanOrEqual(4);
    expect(scans).toBeLessThanOrEqual(3 + refs.length);
    for (const ref of refs) expect(isAlive(ref.pgid!)).toBe(false);
  });

  test("targets of one grace escalate together: one freeze and one SIGKILL round for the batch, however long its first signals took", async () => {
    // Twenty first signals take milliseconds: a grace timed from each target's own send came due over several polls.
    const refs = await Promise.all(Array.from({ length: 20 }, () => leader("trap '' TERM; echo ready; exec sleep 100")));
    let scans = 0;
    const scansAtEscalation: number[] = [];
    const escalatedAt = new Map<number, number>();
    // When each group got its TERM, as kill(2) was called (proc/signal.ts sends through process.kill).
    const termAt = new Map<number, number>();
    const realKill = process.kill;
    process.kill = ((pid: number, signal?: string | number) => {
      if (signal === 15 && pid < 0 && !termAt.has(-pid)) termAt.set(-pid, Date.now());
      return realKill.call(process, pid, signal);
    }) as typeof process.kill;
    const reports = await stopAll(
      refs.map((ref) => ({ target: { entry: ref, policy: KILL }, signal: 15, graceMs: 300, onEscalate: () => (scansAtEscalation.push(scans), escalatedAt.set(ref.pgid!, Date.now())) })),
      { scanAll: () => (scans++, scanProcesses()) },
    ).finally(() => (process.kill = realKill));
    expect(reports.map((r) => r.outcome)).toEqual(Array(20).fill("killed"));
    // Every escalation before the batch's one freeze scanned: the same count, and only the first signal's scan before it.
    expect(scansAtEscalation).toEqual(Array(20).fill(1));
    // And none before its grace was served, counted from its own TERM (the clock's 1 ms steps allowed).
    expect(termAt.size).toBe(20);
    for (const ref of refs) expect(escalatedAt.get(ref.pgid!)! - termAt.get(ref.pgid!)!).toBeGreaterThanOrEqual(299);
    for (const ref of refs) expect(isAlive(ref.pgid!)).toBe(false);
  });

  test("once everything it was found with has ended, what it forked meanwhile is looked for: not ended while a new member lives", async () => {
    // Its leader and the sleep it waits on end after 300 ms, leaving a TERM-ignoring member forked since the first look.
    const id = `fork-${process.pid}`;
    const ref = { ...(await leader("trap '' TERM; echo ready; sleep 0.3; sleep 100 & exit 0", { SUPERVISE_ID: id, ENGINE_TEST_RUN: String(process.pid) })), id };
    const report = (await stopAll([{ target: { entry: ref, policy: KILL }, signal: 15, graceMs: 1_500 }]))[0]!;
    expect([report.outcome, report.signal]).toEqual(["killed", "KILL"]);
    expect(pidsWithEnv(`SUPERVISE_ID=${id}`)).toEqual([]);
  });

  test("what the freeze stopped and its last look then left out of SIGKILL is thawed, not left stopped for ever", async () => {
    // In life, a process that took a keep mark between the freeze's look and its SIGSTOP; here the
    // last look is told the stopped carrier is older than the entry, so it is no longer the entry's.
    const id = `thaw-${process.pid}`;
    const env = { SUPERVISE_ID: id, ENGINE_TEST_RUN: String(process.pid) };
    const ref = { ...(await leader("trap '' TERM; setsid sleep 100 & echo ready; exec sleep 100", env)), id };
    const other = await leader("echo ready; exec sleep 100");
    let carrier = 0;
    await waitFor(() => (carrier = pidsWithEnv(`SUPERVISE_ID=${id}`).find((pid) => pid !== ref.pgid) ?? 0) > 0, 5_000, "the setsid'd carrier");
    const scanAll = () => scanProcesses().map((p) => (p.pid === carrier && p.state === "T" ? { ...p, startTicks: 0 } : p));
    const reports = await stopAll([ref, other].map((r) => ({ target: { entry: r, policy: KILL }, signal: 15, graceMs: 300 })), { scanAll });
    expect(reports.map((r) => r.outcome)).toEqual(["killed", "terminated"]);
    expect(isAlive(ref.pgid!)).toBe(false);
    await waitFor(() => readNow.stat(carrier)?.state === "S", 5_000, "the carrier to run again");
  });

  test("a TERM-ignoring carrier that re-execs without pause (a sh loop) is killed every time: a look never misses it inside its execve", async () => {
    // About one read in six lands inside dash's execve; its environment read empty there, so a look
    // missed the cookie and reported the entry gone (first look) or terminated (the freeze's) while it lived.
    const dir = mkdtempSync(join(tmpdir(), "supervise-engine-"));
    const loop = join(dir, "loop.sh");
    // TERM is ignored from the fork on (its shell's trap): the first signal cannot land before the loop's own.
    await Bun.write(loop, `trap '' TERM; exec /bin/sh ${loop}\n`);
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 8; i++) {
        const id = `reexec-${process.pid}-${i}`;
        const ref = { ...(await leader(`trap '' TERM; setsid /bin/sh ${loop} </dev/null >/dev/null 2>&1 & echo ready`, { SUPERVISE_ID: id, ENGINE_TEST_RUN: String(process.pid) })), id };
        await waitFor(() => pidsWithEnv(`SUPERVISE_ID=${id}`).length === 1, 5_000, "the loop");
        outcomes.push(await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: 100 }));
        await waitFor(() => pidsWithEnv(`SUPERVISE_ID=${id}`).length === 0, 5_000, "the loop to end").catch((e) => { for (const p of pidsWithEnv(`SUPERVISE_ID=${id}`)) console.log(p, outcomes, readNow.stat(p), readNow.cmdline(p)); throw e; });
      }
      expect(outcomes).toEqual(Array(8).fill("killed"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a member that leaves the group between the first look and the group send (`setsid sleep &` starting up) still gets the first signal: never reported gone while it lives", async () => {
    // Stopped at once after the fork, the look finds setsid still in the group and the send comes after its setsid(2): about one run in eight before.
    for (let i = 0; i < 30; i++) {
      const id = `leaver-${process.pid}-${i}`;
      const proc = Bun.spawn(["sh", "-c", "setsid sleep 100 </dev/null >/dev/null 2>&1 & echo $!"], { stdio: ["ignore", "pipe", "ignore"], detached: true, env: { ...process.env, SUPERVISE_ID: id, ENGINE_TEST_RUN: String(process.pid) } });
      started.push(proc.pid);
      const reader = proc.stdout.getReader();
      const child = Number(new TextDecoder().decode((await reader.read()).value).trim());
      reader.releaseLock();
      started.push(child);
      const stat = readNow.stat(proc.pid);
      const ref: EntryRef = { id, pgid: proc.pid, leader: stat && identityOf(stat), sinceTicks: stat?.startTicks ?? 0 };
      const outcome = await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: 2_000 });
      expect({ run: i, outcome, alive: isAlive(child) }).toEqual({ run: i, outcome: "terminated", alive: false });
    }
  });

  test("grace none (no SIGKILL to follow) against a TERM-ignoring command: still alive, reported after the bounded wait, never killed", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const t0 = Date.now();
    // The wait injected (the engine's own is UNESCALATED_WAIT_MS, 10 s): what is tested is that it waits, then reports, never kills.
    expect(await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: Number.POSITIVE_INFINITY, unescalatedWaitMs: 1_000 })).toBe("failed");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(UNESCALATED_WAIT_MS).toBe(10_000);
    expect(isAlive(ref.pgid!)).toBe(true);
  });

  test("a second request (hurry) during an unbounded grace sends SIGKILL", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const hurry = new AbortController();
    let escalated = false;
    const stopping = stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: Number.POSITIVE_INFINITY, hurry: hurry.signal, onEscalate: () => (escalated = true) });
    hurry.abort();
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
    const environ = (pid: number) => Bun.file(`/proc/${pid}/environ`).text().catch(() => "");
    let sleeps: ReturnType<typeof scanProcesses> = [];
    let marks: boolean[] = [];
    // Named sleep already, a process may still be inside its execve, its environment not yet readable (CI saw neither marked).
    await waitFor(async () => {
      sleeps = scanProcesses().filter((p) => p.pgrp === ref.pgid && p.comm === "sleep");
      marks = await Promise.all(sleeps.map(async (p) => (await environ(p.pid)).split("\0").includes("SUPERVISE_KEEP=1")));
      return sleeps.length === 2 && marks.filter(Boolean).length === 1;
    }, 5_000, "both sleeps, one of them marked");
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
    const isSleeper = (p: { pid: number; ppid: number }) => p.pid !== ref.pgid && readNow.stat(p.pid)?.comm === "sleep" && p.ppid === ref.pgid;
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
    const [report] = await stopAll([{ target: { process: identityOf(readNow.stat(1)!) }, signal: 15, graceMs: 5_000 }]);
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

describe("stopAll: what a process target forks meanwhile (the reaper's tree scope)", () => {
  const COOKIE = { CLAUDECODE: "1", CLAUDE_CODE_SESSION_ID: `tree-${process.pid}` };
  const TREE: TreeScope = { cookie: { agent: "claude-code", session: COOKIE.CLAUDE_CODE_SESSION_ID }, path: "sweep", tie: "session-leftover", proof: "owner-gone" };
  const [markName, markValue] = RUN_MARK.split("=") as [string, string];

  /** A process in its own session with the session's cookie, as a dead session leaves one; its pid once it printed a line. */
  async function spawnWithCookie(script: string, env: Record<string, string> = {}): Promise<number> {
    const proc = Bun.spawn(["sh", "-c", script], { stdio: ["ignore", "pipe", "ignore"], detached: true, env: { ...process.env, ...COOKIE, [markName]: markValue, ...env } });
    started.push(proc.pid);
    const reader = proc.stdout.getReader();
    await reader.read();
    reader.releaseLock();
    return proc.pid;
  }

  const withCookie = (pid: number) => pidsWithEnv(`CLAUDE_CODE_SESSION_ID=${COOKIE.CLAUDE_CODE_SESSION_ID}`).includes(pid);
  const childrenOf = (pid: number) => scanProcesses().filter((p) => p.ppid === pid);

  test("a TERM-ignoring spawner forking setsid children: all of it ends; a child without the cookie, a sessionKeep child and what is below it, and an outsider stay", async () => {
    const bin = mkdtempSync(join(tmpdir(), "engine-tree-"));
    symlinkSync("/bin/sh", join(bin, "tmux"));
    try {
      // The plan's scan: everything after this mark is "forked since".
      const mark = forkMark();
      const spawner = await spawnWithCookie(
        `trap '' TERM
        env -u CLAUDE_CODE_SESSION_ID setsid sleep 101 &
        setsid "${bin}/tmux" -c 'sleep 104 & wait' &
        echo ready
        i=0; while [ $i -lt 300 ]; do setsid sleep 100 & i=$((i + 1)); sleep 0.01; done; wait`,
      );
      const outsider = Bun.spawn(["sleep", "103"], { env: { ...process.env, ...COOKIE, [markName]: markValue } });
      started.push(outsider.pid);
      await waitFor(() => childrenOf(spawner).filter((p) => p.comm === "sleep").length >= 10, 10_000, "the spawner's first children");
      const tmux = childrenOf(spawner).find((p) => p.comm === "tmux");
      expect(tmux).toBeDefined();
      await waitFor(() => childrenOf(tmux!.pid).length === 1, 5_000, "the sleep under tmux");
      const underTmux = childrenOf(tmux!.pid)[0]!.pid;
      const noCookie = childrenOf(spawner).find((p) => p.comm === "sleep" && !withCookie(p.pid))!.pid;

      const [report] = await stopAll([{ target: { process: identityOf(readNow.stat(spawner)!), tree: TREE }, signal: 15, graceMs: 300 }], {
        forked: { mark, earlier: [], keep: KEEP },
      });
      expect(report).toMatchObject({ outcome: "killed", signal: "KILL", pending: false });
      expect(report!.forked).toBeGreaterThanOrEqual(10);
      expect(isAlive(spawner)).toBe(false);
      const left = pidsWithEnv(`CLAUDE_CODE_SESSION_ID=${COOKIE.CLAUDE_CODE_SESSION_ID}`).sort();
      expect(left).toEqual([tmux!.pid, underTmux, outsider.pid].sort());
      expect(isAlive(noCookie)).toBe(true);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  test("without a tree scope (or without the batch's fork window) nothing beyond the target is signalled", async () => {
    const mark = forkMark();
    for (const [tree, forked] of [
      [null, { mark, earlier: [], keep: KEEP }],
      [TREE, undefined],
    ] as const) {
      const spawner = await spawnWithCookie("trap '' TERM; setsid sleep 100 & echo ready; wait");
      await waitFor(() => childrenOf(spawner).some((p) => p.comm === "sleep"), 5_000, "the child");
      const child = childrenOf(spawner)[0]!.pid;
      const [report] = await stopAll([{ target: { process: identityOf(readNow.stat(spawner)!), tree }, signal: 15, graceMs: 100 }], { forked });
      expect(report!.outcome).toBe("killed");
      expect(report!.forked).toBeUndefined();
      expect(isAlive(child)).toBe(true);
    }
  });

  test("a budget spent before the first signal: nothing is sent, the target is reported pending and cut", async () => {
    const pid = await spawnWithCookie("echo ready; exec sleep 100");
    const [report] = await stopAll([{ target: { process: identityOf(readNow.stat(pid)!), tree: TREE }, signal: 15, graceMs: 1_000, endBy: Date.now() - 1 }], {
      forked: { mark: forkMark(), earlier: [], keep: KEEP },
    });
    expect(report).toEqual({ outcome: "failed", signal: null, durationMs: null, pending: true, cut: true });
    expect(isAlive(pid)).toBe(true);
  });

  test("an entry whose TERM-ignoring leader forks setsid carriers of its cookie: frozen before SIGKILL, nothing of it is left", async () => {
    const ref = await leader("trap '' TERM; echo ready; i=0; while [ $i -lt 300 ]; do SUPERVISE_ID=t$$ setsid sleep 100 & i=$((i + 1)); sleep 0.01; done; wait");
    await waitFor(() => pidsWithEnv(`SUPERVISE_ID=${ref.id}`).length >= 10, 10_000, "the first carriers");
    for (const pid of pidsWithEnv(`SUPERVISE_ID=${ref.id}`)) started.push(pid);
    expect(await stopOne({ entry: ref, policy: KILL }, { signal: 15, graceMs: 300 })).toBe("killed");
    expect(pidsWithEnv(`SUPERVISE_ID=${ref.id}`)).toEqual([]);
  });
});

describe("descendantsOf (src/proc/scan.ts): by parent chain, each link no older than its parent", () => {
  const proc = (pid: number, ppid: number, startTicks = 100) => ({ pid, ppid, startTicks });
  const roots = new Map([
    [10, { stat: { pid: 10, startTicks: 50 }, owner: "a" }],
    [20, { stat: { pid: 20, startTicks: 50 }, owner: "b" }],
  ]);
  const cases: Array<[string, ReturnType<typeof proc>[], (p: { pid: number }) => boolean, Record<number, string>]> = [
    ["a child and a grandchild join their root", [proc(11, 10), proc(12, 11)], () => true, { 11: "a", 12: "a" }],
    ["each joins its nearest root", [proc(11, 10), proc(21, 20), proc(22, 21)], () => true, { 11: "a", 21: "b", 22: "b" }],
    ["listed before its parent, it still joins", [proc(12, 11), proc(11, 10)], () => true, { 11: "a", 12: "a" }],
    ["older than its root's process: a reused pid, and nothing below it", [proc(11, 10, 40), proc(12, 11)], () => true, {}],
    ["older than its parent: the chain is cut there", [proc(11, 10, 100), proc(12, 11, 90)], () => true, { 11: "a" }],
    ["one not admitted cuts off what is below it", [proc(11, 10), proc(12, 11), proc(13, 10)], (p) => p.pid !== 11, { 13: "a" }],
    ["a parent that is not listed (init, another user's) reaches no root", [proc(11, 1), proc(12, 99)], () => true, {}],
    ["a cycle, and a process its own parent, end without joining", [proc(11, 12), proc(12, 11), proc(13, 13)], () => true, {}],
    ["a root listed among the candidates is not its own descendant", [proc(10, 20), proc(11, 10)], () => true, { 11: "a" }],
    ["nothing listed", [], () => true, {}],
  ];
  test.each(cases)("%s", (_, candidates, admit, expected) => {
    const joined = descendantsOf(roots, candidates, admit);
    expect(Object.fromEntries([...joined].map(([pid, { owner }]) => [pid, owner]))).toEqual(expected);
  });

  test("a chain 5,000 deep resolves (no recursion limit at realistic depths)", () => {
    const chain = Array.from({ length: 5_000 }, (_, i) => proc(1_000 + i, i === 0 ? 10 : 999 + i));
    expect(descendantsOf(roots, chain, () => true).size).toBe(5_000);
  });
});

describe("stopAll: a process target's keep marks, read again before every send", () => {
  test("a TERM-ignoring target that exec's into a protected command (pytest) during its grace is left, and reported failed, not killed", async () => {
    const script = `exec bash -c "trap '' TERM; echo ready; sleep 0.3; exec -a pytest sleep 100"`;
    const ref = await leader(script);
    const [report] = await stopAll([{ target: { process: ref.leader!, keep: { protect: ["pytest"], sessionKeep: [] } }, signal: 15, graceMs: 1_000 }]);
    expect(report!.outcome).toBe("failed");
    expect(isAlive(ref.pgid!)).toBe(true);
    // Without keep lists the same target is killed, as before.
    const other = await leader(script);
    const [killed] = await stopAll([{ target: { process: other.leader! }, signal: 15, graceMs: 1_000 }]);
    expect(killed!.outcome).toBe("killed");
  });
});
