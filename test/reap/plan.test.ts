// The sweep's plan over hand-made snapshots and ledgers: ledger entries, escapes, session
// leftovers (a dead, a live and an unknown owner; SessionEnd), zombies and PID reuse.

import { describe, expect, test } from "bun:test";
import type { EntryRow } from "../../src/ledger/entries.ts";
import type { ThreadLockState } from "../../src/ownership/codex-lock.ts";
import { sessionKey } from "../../src/ledger/sessions.ts";
import type { RecordedOwner } from "../../src/ownership/owner.ts";
import { planSweep, type PlanInput } from "../../src/reap/plan.ts";
import type { ProcInfo } from "../../src/ownership/process-table.ts";
import { OVERDUE_SLACK_MS, type Surroundings } from "../../src/reap/rules.ts";
import { AROUND, minutes, NOW_TICKS, proc, SETTINGS } from "../helpers/reap-fixtures.ts";

describe("planSweep", () => {
  const BOOT = "boot-1";
  const WRAPPER_TICKS = NOW_TICKS - minutes(1);

  function row(over: Partial<EntryRow>): EntryRow {
    return {
      id: "e1",
      boot_id: BOOT,
      pid: 6000,
      pgid: 6000,
      start_ticks: WRAPPER_TICKS + 1,
      wrapper_pid: 5999,
      wrapper_start_ticks: WRAPPER_TICKS,
      command: '["sleep","1000"]',
      cwd: "/",
      session: null,
      name: null,
      started_at: 0,
      deadline_at: null,
      grace_ms: 3000,
      first_signal: "TERM",
      keep_orphaned: 0,
      state: "running",
      ended_at: null,
      exit_code: null,
      end_signal: null,
      reason: null,
      stop_reason: null,
      owner_pid: null,
      owner_start_ticks: null,
      exit_status: null,
      pid_namespace: null,
      session_bound: 0,
      ...over,
    };
  }

  function plan(procs: ProcInfo[], running: EntryRow[], ended: EntryRow[] = [], around: Partial<Surroundings> = {}, ending: string | null = null) {
    const input: PlanInput = {
      procs,
      running,
      ended: new Map(ended.map((r) => [r.id, r])),
      bootId: BOOT,
      now: 5_000,
      settings: SETTINGS,
      around: { ...AROUND, ...around },
      ending,
    };
    return planSweep(input);
  }
  const leader = (over: Partial<ProcInfo> = {}) =>
    proc({ pid: 6000, comm: "sleep", argv: ["sleep", "1000"], ppid: 1, startTicks: WRAPPER_TICKS + 1, environ: "SUPERVISE_ID=e1", ...over });

  test("wrapper gone, command alive: owner-dead, the proven group is signalled as a whole", () => {
    const p = plan([leader()], [row({})]);
    expect(p.targets.map((t) => [t.proc.pid, t.reason, t.ledgerId])).toEqual([[6000, "owner-dead", "e1"]]);
    expect(p.entries[0]).toMatchObject({ verdict: "owner-dead", group: { pgid: 6000 } });
  });

  test("PID reuse: same pid, another start time, no cookie: not ours, the entry is lost", () => {
    const impostor = leader({ startTicks: WRAPPER_TICKS + 500, environ: "HOME=/h" });
    const p = plan([impostor], [row({})]);
    expect(p.targets).toEqual([]);
    expect(p.entries[0]).toMatchObject({ verdict: "lost", group: null });
  });

  test("a group member older than the wrapper means the group id was reused: not signalled", () => {
    const old = leader({ startTicks: WRAPPER_TICKS - 100 });
    const p = plan([old], [row({})]);
    expect(p.targets).toEqual([]);
  });

  test("wrapper alive and within its deadline: nothing, and its orphaned rg child is left to it", () => {
    const wrapper = proc({ pid: 5999, comm: "bun", argv: ["bun"], startTicks: WRAPPER_TICKS, ppid: 4242 });
    const child = proc({ pid: 6001, pgrp: 6001, argv: ["rg", "x"], startTicks: WRAPPER_TICKS + 2, environ: "SUPERVISE_ID=e1" });
    const p = plan([wrapper, leader(), child], [row({})]);
    expect(p.targets).toEqual([]);
    expect(p.entries[0]!.verdict).toBe("running");
  });

  test("a wrapper that outlived its agent (CLAUDE_PID gone): owner-dead, the group ended, the wrapper left to record it", () => {
    const agent = proc({ pid: 900, comm: "claude", ppid: 1, startTicks: WRAPPER_TICKS - 100 });
    const wrapper = proc({ pid: 5999, comm: "bun", argv: ["bun"], startTicks: WRAPPER_TICKS, ppid: 4242 });
    const owned = row({ owner_pid: 900, owner_start_ticks: WRAPPER_TICKS - 100 });
    const alone = plan([wrapper, leader()], [owned]);
    expect(alone.entries[0]!.verdict).toBe("owner-dead");
    expect(alone.targets.map((t) => [t.proc.pid, t.reason])).toEqual([[6000, "owner-dead"]]);
    // The agent alive: running. Its pid reused by another process: not ours, so the owner is gone.
    expect(plan([agent, wrapper, leader()], [owned]).entries[0]!.verdict).toBe("running");
    expect(plan([{ ...agent, startTicks: WRAPPER_TICKS + 50 }, wrapper, leader()], [owned]).entries[0]!.verdict).toBe("owner-dead");
    // The owner's stat could not be read: unknown, not dead.
    expect(planSweep({ procs: [wrapper, leader()], running: [owned], ended: new Map(), bootId: BOOT, now: 5_000, settings: SETTINGS, around: AROUND, unreadable: new Set([900]) }).entries[0]!.verdict).toBe("running");
    // --keep-orphaned entries outlive their owners on purpose.
    const kept = plan([wrapper, leader()], [{ ...owned, keep_orphaned: 1 }]);
    expect(kept.entries[0]!.verdict).toBe("kept");
    expect(kept.targets).toEqual([]);
    // Wrapper gone too: still kept, nothing signalled.
    expect(plan([leader()], [{ ...owned, keep_orphaned: 1 }]).targets).toEqual([]);
    // Something of it carries SUPERVISE_KEEP=1 (the contract: no sweep ends it): kept, the rest of its group too.
    const marked = proc({ pid: 6001, pgrp: 6000, argv: ["node", "server.js"], startTicks: WRAPPER_TICKS + 2, environ: "SUPERVISE_ID=e1\0SUPERVISE_KEEP=1" });
    const keptByMark = plan([wrapper, leader(), marked], [owned]);
    expect(keptByMark.entries[0]!.verdict).toBe("kept");
    expect(keptByMark.targets).toEqual([]);
    // SUPERVISE_KEEP=0 is no mark.
    expect(plan([wrapper, leader(), { ...marked, environ: "SUPERVISE_ID=e1\0SUPERVISE_KEEP=0" }], [owned]).entries[0]!.verdict).toBe("owner-dead");
  });

  test("protect and sessionKeep hold for ledgered targets too: never a protected member, never its group as a whole", () => {
    const wrapperGone = row({});
    const pytest = leader({ argv: ["python", "-m", "pytest", "-x"] });
    const p = plan([pytest], [wrapperGone]);
    expect([p.entries[0]!.verdict, p.entries[0]!.targeted, p.entries[0]!.group, p.targets]).toEqual(["owner-dead", 0, null, []]);
    // A tmux server the entry started and the shell inside it are left; the plain member is ended by pid.
    const tmux = proc({ pid: 6010, pgrp: 6010, comm: "tmux: server", argv: ["tmux", "new", "-d"], ppid: 1, startTicks: WRAPPER_TICKS + 3, environ: "SUPERVISE_ID=e1" });
    const shell = proc({ pid: 6011, pgrp: 6011, comm: "bash", argv: ["bash"], ppid: 6010, startTicks: WRAPPER_TICKS + 4, environ: "SUPERVISE_ID=e1" });
    const q = plan([leader(), tmux, shell], [wrapperGone]);
    expect(q.targets.map((t) => t.proc.pid)).toEqual([6000]);
    // A member whose command line could not be read counts as protected, and so does its group.
    const unread = proc({ pid: 6002, pgrp: 6000, argv: null, startTicks: WRAPPER_TICKS + 2, environ: "SUPERVISE_ID=e1" });
    const r = plan([leader(), unread], [wrapperGone]);
    expect([r.targets.map((t) => t.proc.pid), r.entries[0]!.group]).toEqual([[6000], null]);
  });

  test("overdue `docker compose up` (its wrapper stopped by Ctrl-Z): neither the command nor the wrapper is a target", () => {
    const wrapper = proc({ pid: 5999, comm: "bun", argv: ["bun", "cli.ts", "run", "--", "docker", "compose", "up"], startTicks: WRAPPER_TICKS, ppid: 4242, state: "T" });
    const compose = leader({ comm: "docker", argv: ["docker", "compose", "up"] });
    const q = planSweep({ procs: [wrapper, compose], running: [row({ deadline_at: 1_000, grace_ms: 100 })], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND });
    expect([q.entries[0]!.verdict, q.entries[0]!.targeted, q.targets]).toEqual(["overdue", 0, []]);
  });

  test("an entry recorded in another pid namespace is unknown: never owner-dead, lost or overdue, nothing of it claimed or signalled", () => {
    const foreign = row({ pid_namespace: "pid:[4026532000]", deadline_at: 1_000, grace_ms: 100 });
    const q = planSweep({ procs: [leader()], running: [foreign], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND, namespace: "pid:[4026531836]" });
    expect([q.entries[0]!.verdict, q.targets]).toEqual(["unknown", []]);
    // Its pids here name other processes: an orphaned rg at its group id is judged by the seed's rules alone.
    const rgThere = proc({ pid: 6000, startTicks: NOW_TICKS - minutes(6), sameNamespace: true });
    expect(planSweep({ procs: [rgThere], running: [foreign], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND, namespace: "pid:[4026531836]" }).targets.map((t) => t.reason)).toEqual(["rg"]);
    // The same namespace: judged as ever.
    expect(planSweep({ procs: [leader({ sameNamespace: true })], running: [{ ...foreign, pid_namespace: "pid:[4026531836]" }], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND, namespace: "pid:[4026531836]" }).entries[0]!.verdict).toBe("owner-dead");
  });

  test("what a session-bound entry left at its exit is its session's: not `escaped`, a session leftover judged by the session's owner", () => {
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000, session: "s1", session_bound: 1, wrapper_start_ticks: WRAPPER_TICKS - minutes(3) });
    const agentEnv = (owner: string) => `SUPERVISE_ID=e9\0CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s1\0CLAUDE_PID=${owner}`;
    const server = (owner: string) => proc({ pid: 7000, comm: "python3", argv: ["python3", "-m", "http.server"], ppid: 1, startTicks: WRAPPER_TICKS - minutes(2), environ: agentEnv(owner), inSessionScope: true, sameNamespace: true });
    const agent = proc({ pid: 800, comm: "claude", argv: ["claude"], ppid: 50, startTicks: WRAPPER_TICKS - minutes(4) });
    // The agent alive: left.
    expect(plan([agent, server("800")], [], [ended]).targets).toEqual([]);
    // The agent gone: session-gone.
    expect(plan([server("800")], [], [ended]).targets.map((t) => t.reason)).toEqual(["session-gone"]);
    // An ordinary entry's escape is escaped at once.
    expect(plan([agent, server("800")], [], [{ ...ended, session_bound: 0 }]).targets.map((t) => t.reason)).toEqual(["escaped"]);
  });

  test("a process carrying a cookie no ledger row accounts for is unknown: never a session leftover, never the seed's target", () => {
    // The ledger was lost (moved aside, unreadable): what --keep-orphaned kept must not fall to session-gone.
    const kept = proc({ pid: 7100, comm: "sleep", argv: ["sleep", "300"], ppid: 1, startTicks: NOW_TICKS - minutes(30), environ: "SUPERVISE_ID=gone1\0CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s9\0CLAUDE_PID=900", inSessionScope: true, sameNamespace: true });
    const rg = proc({ pid: 7101, ppid: 1, startTicks: NOW_TICKS - minutes(30), environ: "SUPERVISE_ID=gone2" });
    expect(plan([kept, rg], []).targets).toEqual([]);
    // Without the cookie the same processes are the session's and the seed's.
    expect(plan([{ ...kept, environ: "CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s9\0CLAUDE_PID=900" }, { ...rg, environ: "HOME=/h" }], []).targets.map((t) => t.reason).sort()).toEqual(["rg", "session-gone"]);
  });

  test("what a Gemini session-bound entry left (no session variable, only GEMINI_CLI=1) is judged by the entry's owner", () => {
    const gemini = proc({ pid: 850, comm: "node", argv: ["node", "gemini"], ppid: 50, startTicks: WRAPPER_TICKS - minutes(10) });
    const ended = row({ id: "g1", state: "exited", ended_at: 4_000, session: "gem-s", session_bound: 1, owner_pid: 850, owner_start_ticks: WRAPPER_TICKS - minutes(10), wrapper_start_ticks: WRAPPER_TICKS - minutes(20) });
    const leftover = proc({ pid: 7200, comm: "bash", argv: ["bash", "-c", "sleep 300; :"], ppid: 1, startTicks: WRAPPER_TICKS - minutes(15), environ: "SUPERVISE_ID=g1\0GEMINI_CLI=1", inSessionScope: true, sameNamespace: true });
    // Gemini alive: not an agent shell, not anything.
    expect(plan([gemini, leftover], [], [ended], { nowTicks: NOW_TICKS + minutes(60) }).targets).toEqual([]);
    // Gemini gone: session-gone, as its session's leftover.
    expect(plan([leftover], [], [ended]).targets.map((t) => [t.proc.pid, t.reason, t.ledgerId])).toEqual([[7200, "session-gone", "g1"]]);
    // Its SessionEnd, from Gemini itself: session-end; another session's end leaves it.
    expect(plan([gemini, leftover], [], [ended], { endingAgent: 850 }, "gem-s").targets.map((t) => t.reason)).toEqual(["session-end"]);
    expect(plan([gemini, leftover], [], [ended], { endingAgent: 850 }, "other").targets).toEqual([]);
  });

  test("overdue with a protected member: the wrapper is not signalled either (its own deadline would end the group)", () => {
    const wrapper = proc({ pid: 5999, comm: "bun", argv: ["bun", "cli.ts", "run", "--", "./start.sh"], startTicks: WRAPPER_TICKS, ppid: 4242, state: "T" });
    const shell = leader({ comm: "bash", argv: ["bash", "./start.sh"] });
    const pytest = proc({ pid: 6001, pgrp: 6000, ppid: 6000, comm: "sleep", argv: ["pytest", "300"], startTicks: WRAPPER_TICKS + 2, environ: "SUPERVISE_ID=e1" });
    const q = planSweep({ procs: [wrapper, shell, pytest], running: [row({ deadline_at: 1_000, grace_ms: 100 })], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND });
    expect(q.targets.map((t) => t.proc.pid)).toEqual([6000]);
  });

  test("a process of another pid namespace is never a target, whatever rule would take it (ending a namespace's init ends all in it)", () => {
    const ns = "pid:[4026531836]";
    const shell = proc({ pid: 7300, comm: "bash", argv: ["bash", "-c", "while :; do sleep 1; done"], environ: "CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s\0CLAUDE_PID=900", startTicks: NOW_TICKS - minutes(11) });
    const run = (sameNamespace: boolean | null | undefined) => planSweep({ procs: [{ ...shell, sameNamespace }], running: [], ended: new Map(), bootId: BOOT, now: 5_000, settings: SETTINGS, around: AROUND, namespace: ns }).targets.map((t) => t.reason);
    expect(run(true)).toEqual(["agent-shell"]);
    expect(run(false)).toEqual([]);
    expect(run(null)).toEqual([]);
    expect(run(undefined)).toEqual([]);
    // Not read by the snapshot (a process without a cookie): asked of a would-be target, and only of it.
    const asked: number[] = [];
    const deferred = (answer: boolean | null) => planSweep({ procs: [shell, { ...shell, pid: 7301, comm: "sleep", argv: ["sleep", "9"] }], running: [], ended: new Map(), bootId: BOOT, now: 5_000, settings: SETTINGS, around: AROUND, namespace: ns, sameNamespaceOf: (p) => (asked.push(p.pid), answer) }).targets.map((t) => t.reason);
    expect([deferred(true), deferred(false), deferred(null)]).toEqual([["agent-shell"], [], []]);
    expect(new Set(asked)).toEqual(new Set([7300]));
  });

  test("overdue: the group and the wrapper", () => {
    const wrapper = proc({ pid: 5999, comm: "bun", argv: ["bun"], startTicks: WRAPPER_TICKS, ppid: 4242, state: "T" });
    const p = plan([wrapper, leader()], [row({ deadline_at: 1_000, grace_ms: 100 })], [], {});
    const q = planSweep({ procs: [wrapper, leader()], running: [row({ deadline_at: 1_000, grace_ms: 100 })], ended: new Map(), bootId: BOOT, now: 1_000 + 100 + OVERDUE_SLACK_MS + 1, settings: SETTINGS, around: AROUND });
    expect(p.entries[0]!.verdict).toBe("running");
    expect(q.targets.map((t) => [t.proc.pid, t.reason]).sort()).toEqual([
      [5999, "overdue"],
      [6000, "overdue"],
    ]);
  });

  test("a wrapper that is our own ancestor is never a target", () => {
    const wrapper = proc({ pid: 3999, comm: "bun", argv: ["bun"], startTicks: WRAPPER_TICKS, ppid: 4242 });
    const q = planSweep({ procs: [wrapper, leader()], running: [row({ wrapper_pid: 3999, deadline_at: 1_000, grace_ms: 100 })], ended: new Map(), bootId: BOOT, now: 1e9, settings: SETTINGS, around: AROUND });
    expect(q.targets.map((t) => t.proc.pid)).toEqual([6000]);
  });

  test("escaped: carries an ended entry's cookie; only when it started after that entry's wrapper", () => {
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000 });
    const escaped = proc({ pid: 7000, comm: "node", argv: ["node", "x"], startTicks: WRAPPER_TICKS + 5, environ: "SUPERVISE_ID=e9" });
    const forged = proc({ pid: 7001, comm: "node", argv: ["node", "x"], startTicks: WRAPPER_TICKS - 5, environ: "SUPERVISE_ID=e9" });
    const p = plan([escaped, forged], [], [ended]);
    expect(p.targets.map((t) => [t.proc.pid, t.reason, t.ledgerId])).toEqual([[7000, "escaped", "e9"]]);
  });

  test("escaped, but carrying SUPERVISE_KEEP=1: left running", () => {
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000 });
    const kept = proc({ pid: 7000, comm: "node", argv: ["node", "x"], startTicks: WRAPPER_TICKS + 5, environ: "SUPERVISE_ID=e9\0SUPERVISE_KEEP=1" });
    expect(plan([kept], [], [ended]).targets).toEqual([]);
  });

  test("escaped from a --keep-orphaned entry: left running, and claimed (no other rule takes it)", () => {
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000, keep_orphaned: 1 });
    const kept = proc({ pid: 7000, comm: "rg", argv: ["rg", "@TAG"], ppid: 1, startTicks: WRAPPER_TICKS + 5, environ: "SUPERVISE_ID=e9" });
    expect(plan([kept], [], [ended], { nowTicks: NOW_TICKS + minutes(600) }).targets).toEqual([]);
  });

  test("at SessionEnd an escape is one more leftover of the session, but never one of a --keep-orphaned entry", () => {
    const session = "CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s-end\0CLAUDE_PID=800";
    const escape = (pid: number, id: string) =>
      proc({ pid, comm: "node", argv: ["node", "x"], ppid: 1, startTicks: WRAPPER_TICKS + 5, environ: `SUPERVISE_ID=${id}\0${session}`, inSessionScope: true, sameNamespace: true });
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000, session: "s-end" });
    const kept = row({ id: "e8", state: "exited", ended_at: 4_000, session: "s-end", keep_orphaned: 1 });
    const p = plan([escape(7000, "e9"), escape(7001, "e8")], [], [ended, kept], {}, "s-end");
    expect(p.targets.map((t) => [t.proc.pid, t.reason])).toEqual([[7000, "session-end"]]);
  });

  test("escaped but protected or another user's: never signalled", () => {
    const ended = row({ id: "e9", state: "exited", ended_at: 4_000 });
    const protectedOne = proc({ pid: 7000, comm: "python", argv: ["python", "-m", "pytest"], startTicks: WRAPPER_TICKS + 5, environ: "SUPERVISE_ID=e9" });
    const theirs = proc({ pid: 7001, comm: "node", argv: ["node"], uid: 0, startTicks: WRAPPER_TICKS + 5, environ: "SUPERVISE_ID=e9" });
    expect(plan([protectedOne, theirs], [], [ended]).targets).toEqual([]);
  });

  test("--session limits ledger entries to that session", () => {
    expect(plan([leader()], [row({ session: "other" })], [], { session: "mine" }).targets).toEqual([]);
    expect(plan([leader()], [row({ session: "mine" })], [], { session: "mine" }).targets).toHaveLength(1);
  });

  test("a zombie child of a target is reported with it, not signalled", () => {
    const parent = proc({ pid: 8000 });
    const zombie = proc({ pid: 8001, ppid: 8000, comm: "sh", state: "Z", argv: null, environ: null });
    const p = plan([parent, zombie], []);
    expect(p.targets.map((t) => [t.proc.pid, t.reason, t.zombie])).toEqual([
      [8000, "rg", false],
      [8001, "rg", true],
    ]);
  });
});

describe("session leftovers", () => {
  const AGENT_TICKS = NOW_TICKS - minutes(30);
  const cookie = (session: string, ownerPid: string) => `CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=${session}\0CLAUDE_PID=${ownerPid}`;
  const leftover = (over: Partial<ProcInfo> & { pid: number }) =>
    proc({ comm: "node", argv: ["node", "server.js"], ppid: 1, startTicks: NOW_TICKS - minutes(5), environ: cookie("dead", "900"), inSessionScope: true, sameNamespace: true, ...over });
  const liveAgent = proc({ pid: 800, comm: "claude", argv: ["claude"], ppid: 50, startTicks: AGENT_TICKS });

  function plan(procs: ProcInfo[], options: { ending?: string; unreadable?: number[]; around?: Partial<Surroundings>; sessions?: Map<string, RecordedOwner[]>; threadLock?: (environ: string | null, thread: string) => ThreadLockState } = {}) {
    return planSweep({
      procs,
      running: [],
      ended: new Map(),
      bootId: "b",
      now: 0,
      settings: SETTINGS,
      around: { ...AROUND, ...options.around },
      unreadable: new Set(options.unreadable ?? []),
      sessions: options.sessions,
      threadLock: options.threadLock,
      ending: options.ending ?? null,
    });
  }
  const reasons = (p: ReturnType<typeof plan>) => p.targets.map((t) => [t.proc.pid, t.reason]);

  test("no owner pid in the cookie (Claude Code before 2.1.214): the agent its SessionStart hook recorded decides", () => {
    const old = (pid: number, session: string) => leftover({ pid, environ: `CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=${session}` });
    const recorded = (pid: number, startTicks: number, sameNamespace: boolean | null = true) => [{ agent: "claude-code", pid, startTicks, sameNamespace }];
    const sessions = new Map([
      [sessionKey("claude-code", "gone"), recorded(910, 100)],
      [sessionKey("claude-code", "reused"), recorded(800, AGENT_TICKS - 1)],
      [sessionKey("claude-code", "alive"), recorded(800, AGENT_TICKS)],
      [sessionKey("claude-code", "elsewhere"), recorded(910, 100, false)],
    ]);
    const procs = [liveAgent, old(5090, "gone"), old(5091, "reused"), old(5092, "alive"), old(5093, "elsewhere"), old(5094, "never-recorded")];
    expect(reasons(plan(procs, { sessions }))).toEqual([
      [5090, "session-gone"],
      [5091, "session-gone"],
    ]);
    // Without the record, nothing of it is provably ownerless.
    expect(plan(procs).targets).toEqual([]);
  });

  test("Codex: its thread id is the session; only a recorded agent can be proven gone", () => {
    const codex = (pid: number, thread: string) => leftover({ pid, comm: "vite", environ: `CODEX_THREAD_ID=${thread}\0CODEX_CI=1` });
    const sessions = new Map([[sessionKey("codex", "t-gone"), [{ agent: "codex", pid: 910, startTicks: 100, sameNamespace: true }]]]);
    expect(reasons(plan([codex(5095, "t-gone"), codex(5096, "t-unrecorded")], { sessions }))).toEqual([[5095, "session-gone"]]);
  });

  test("Codex: a thread lock still held (a resumed thread no hook recorded) or unreadable keeps a recorded-gone thread alive; never the other way", () => {
    const codex = (pid: number, thread: string) => leftover({ pid, comm: "vite", environ: `CODEX_THREAD_ID=${thread}\0HOME=/home/u` });
    const gone = { agent: "codex", pid: 910, startTicks: 100, sameNamespace: true };
    const sessions = new Map(["t-held", "t-unknown", "t-free", "t-live"].map((t) => [sessionKey("codex", t), [t === "t-live" ? { ...gone, pid: 800, startTicks: AGENT_TICKS } : gone]]));
    const locks: Record<string, ThreadLockState> = { "t-held": "held", "t-unknown": "unknown", "t-free": "none", "t-live": "none" };
    const threadLock = (_environ: string | null, thread: string) => locks[thread]!;
    const procs = [liveAgent, codex(5097, "t-held"), codex(5098, "t-unknown"), codex(5099, "t-free"), codex(5100, "t-live")];
    expect(reasons(plan(procs, { sessions, threadLock }))).toEqual([[5099, "session-gone"]]);
  });

  test("Codex: a thread resumed by a second codex keeps its first; gone only when every recorded owner is", () => {
    const codex = (pid: number, thread: string) => leftover({ pid, comm: "vite", environ: `CODEX_THREAD_ID=${thread}\0HOME=/home/u` });
    const first = proc({ pid: 800, comm: "codex", argv: ["codex"], ppid: 50, startTicks: AGENT_TICKS });
    const owner = (pid: number, startTicks: number) => ({ agent: "codex", pid, startTicks, sameNamespace: true });
    // Newest first: the resume (910, exited), then the first codex (800).
    const sessions = new Map(["t-first-lives", "t-both-gone", "t-first-unreadable"].map((t) => [sessionKey("codex", t), [owner(910, AGENT_TICKS + 50), owner(t === "t-first-unreadable" ? 801 : 800, AGENT_TICKS)]]));
    const procs = [first, codex(5101, "t-first-lives"), codex(5102, "t-first-unreadable")];
    // The first row fails on the old code: the resume's record had replaced the first codex's.
    expect(reasons(plan(procs, { sessions, unreadable: [801] }))).toEqual([]);
    expect(reasons(plan([codex(5103, "t-both-gone")], { sessions }))).toEqual([[5103, "session-gone"]]);
    expect(reasons(plan([codex(5101, "t-first-lives")], { sessions }))).toEqual([[5101, "session-gone"]]);
  });

  test("a process started before its agent and re-executed with its cookie: alive while its SessionStart's recorded agent is exactly the process at CLAUDE_PID", () => {
    const younger = proc({ pid: 800, comm: "claude", argv: ["claude"], ppid: 50, startTicks: NOW_TICKS - minutes(2) });
    const older = leftover({ pid: 5110, environ: cookie("early", "800"), startTicks: NOW_TICKS - minutes(5) });
    const recorded = (startTicks: number) => new Map([[sessionKey("claude-code", "early"), [{ agent: "claude-code", pid: 800, startTicks, sameNamespace: true }]]]);
    // Fails on the old code: the younger agent read as a reused pid.
    expect(reasons(plan([younger, older], { sessions: recorded(younger.startTicks) }))).toEqual([]);
    // No such record (or one of another process at that pid): the reuse proof stays.
    expect(reasons(plan([younger, older]))).toEqual([[5110, "session-gone"]]);
    expect(reasons(plan([younger, older], { sessions: recorded(younger.startTicks - 1) }))).toEqual([[5110, "session-gone"]]);
  });

  test("a dead session's node, vite and a 3-level tree (npm -> node -> esbuild): all session-gone, by pid", () => {
    const npm = leftover({ pid: 5001, comm: "npm", argv: ["npm", "run", "dev"] });
    const node = leftover({ pid: 5002, ppid: 5001, argv: ["node", "vite"] });
    const esbuild = leftover({ pid: 5003, ppid: 5002, comm: "esbuild", argv: ["esbuild", "--service"] });
    const vite = leftover({ pid: 5004, comm: "vite", argv: ["vite"] });
    expect(reasons(plan([npm, node, esbuild, vite]))).toEqual([
      [5001, "session-gone"],
      [5002, "session-gone"],
      [5003, "session-gone"],
      [5004, "session-gone"],
    ]);
  });

  test("what survives: a live session's orphan, SUPERVISE_KEEP=1, a protected command, a kept daemon and what runs under it, another user's, the young", () => {
    const live = leftover({ pid: 5010, environ: cookie("live", "800") });
    const keep = leftover({ pid: 5011, environ: `${cookie("dead", "900")}\0SUPERVISE_KEEP=1` });
    const keptChild = leftover({ pid: 5012, ppid: 5011, comm: "sh", argv: ["sh"] });
    const protectedOne = leftover({ pid: 5013, comm: "python3", argv: ["python3", "-m", "pytest"] });
    const tmux = leftover({ pid: 5014, comm: "tmux: server", argv: ["tmux", "new", "-d"] });
    const userShell = leftover({ pid: 5015, ppid: 5014, comm: "bash", argv: ["-bash"] });
    const deepUnderTmux = leftover({ pid: 5016, ppid: 5015, comm: "vim", argv: ["vim"] });
    const theirs = leftover({ pid: 5017, uid: 0 });
    const young = leftover({ pid: 5018, startTicks: NOW_TICKS - 100 });
    expect(plan([liveAgent, live, keep, keptChild, protectedOne, tmux, userShell, deepUnderTmux, theirs, young]).targets).toEqual([]);
  });

  test("an owner pid that is missing, 1, junk, unreadable or in another namespace is unknown: never session-gone", () => {
    const procs = [
      leftover({ pid: 5020, environ: "CLAUDE_CODE_SESSION_ID=dead" }),
      leftover({ pid: 5021, environ: cookie("dead", "1") }),
      leftover({ pid: 5022, environ: cookie("dead", "abc") }),
      leftover({ pid: 5023, environ: cookie("dead", "-900") }),
      leftover({ pid: 5024, environ: cookie("dead", "901") }),
      leftover({ pid: 5025, sameNamespace: false }),
      leftover({ pid: 5026, sameNamespace: null }),
    ];
    expect(plan(procs, { unreadable: [901] }).targets).toEqual([]);
  });

  test("an owner pid that a younger process now holds (reused) is gone", () => {
    const impostor = proc({ pid: 900, comm: "sleep", argv: ["sleep"], ppid: 1, startTicks: NOW_TICKS - 10 });
    expect(reasons(plan([impostor, leftover({ pid: 5030 })]))).toEqual([[5030, "session-gone"]]);
    // The real agent, older than its leftover: alive.
    expect(plan([{ ...impostor, startTicks: AGENT_TICKS }, leftover({ pid: 5030 })]).targets).toEqual([]);
    // A zombie at the owner's pid: gone.
    expect(reasons(plan([{ ...impostor, startTicks: AGENT_TICKS, state: "Z" }, leftover({ pid: 5030 })]))).toEqual([[5030, "session-gone"]]);
  });

  test("outside the session scope (a live process's child), a dead cookie is not enough", () => {
    expect(plan([leftover({ pid: 5040, ppid: 4500, inSessionScope: false })]).targets).toEqual([]);
  });

  test("agent-shell applies only when the shell's owner is not provably alive", () => {
    const shell = (pid: number, environ: string) => leftover({ pid, comm: "bash", argv: ["bash", "-c", "x"], startTicks: NOW_TICKS - minutes(11), environ });
    expect(reasons(plan([liveAgent, shell(5050, cookie("live", "800"))]))).toEqual([]);
    expect(reasons(plan([shell(5051, cookie("dead", "1"))]))).toEqual([[5051, "agent-shell"]]);
    expect(reasons(plan([shell(5052, "CLAUDECODE=1")]))).toEqual([[5052, "agent-shell"]]);
  });

  test("SUPERVISE_KEEP=1 holds against the seed's rules too", () => {
    const rg = leftover({ pid: 5060, comm: "rg", argv: ["rg", "@TAG"], environ: "SUPERVISE_KEEP=1", startTicks: NOW_TICKS - minutes(60) });
    expect(plan([rg]).targets).toEqual([]);
  });

  test("reap --session: only that session's leftovers", () => {
    const mine = leftover({ pid: 5070, environ: cookie("dead", "900") });
    const other = leftover({ pid: 5071, environ: cookie("dead-2", "901") });
    expect(reasons(plan([mine, other], { around: { session: "dead" } }))).toEqual([[5070, "session-gone"]]);
  });

  test("SessionEnd: the ending session's leftovers, whatever their age and with the agent alive; never another session's, a kept one, or the agent's own children", () => {
    const bg = leftover({ pid: 5080, environ: cookie("ending", "800"), startTicks: NOW_TICKS - 10 });
    const bgChild = leftover({ pid: 5081, ppid: 5080, environ: cookie("ending", "800"), startTicks: NOW_TICKS - 10 });
    const other = leftover({ pid: 5082, environ: cookie("other", "800") });
    const kept = leftover({ pid: 5083, environ: `${cookie("ending", "800")}\0SUPERVISE_KEEP=1` });
    const toolShell = leftover({ pid: 5084, ppid: 800, comm: "bash", environ: cookie("ending", "800"), inSessionScope: false });
    const oldRg = leftover({ pid: 5085, comm: "rg", argv: ["rg", "x"], environ: "HOME=/h", startTicks: NOW_TICKS - minutes(60) });
    expect(reasons(plan([liveAgent, bg, bgChild, other, kept, toolShell, oldRg], { ending: "ending", around: { endingAgent: 800 } }))).toEqual([
      [5080, "session-end"],
      [5081, "session-end"],
    ]);
  });

  test("SessionEnd of a session two live CLIs share: the other CLI's leftovers stay while it lives", () => {
    const secondCli = proc({ pid: 801, comm: "claude", argv: ["claude", "--resume"], ppid: 50, startTicks: AGENT_TICKS + 100 });
    const firstsServer = leftover({ pid: 5090, environ: cookie("shared", "800"), startTicks: NOW_TICKS - 10 });
    const secondsServer = leftover({ pid: 5091, environ: cookie("shared", "801"), startTicks: NOW_TICKS - 10 });
    // The second CLI ends: only its own leftover goes.
    expect(reasons(plan([liveAgent, secondCli, firstsServer, secondsServer], { ending: "shared", around: { endingAgent: 801 } }))).toEqual([[5091, "session-end"]]);
    // The ending agent unknown (the hook found none): an owner that lives is another's.
    expect(reasons(plan([liveAgent, secondCli, firstsServer, secondsServer], { ending: "shared" }))).toEqual([]);
    // The other owner already gone: its leftover is the session's to end.
    expect(reasons(plan([secondCli, firstsServer, secondsServer], { ending: "shared", around: { endingAgent: 801 } }))).toEqual([
      [5090, "session-end"],
      [5091, "session-end"],
    ]);
  });
});
