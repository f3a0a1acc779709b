// The reaper's rules as pure functions over hand-made process snapshots: every rule and
// every exclusion, zombies, PID reuse, unreadable /proc fields.

import { describe, expect, test } from "bun:test";
import type { ProcInfo } from "../../src/ownership/process-table.ts";
import { classifyEntry, classifyUnledgered, OVERDUE_SLACK_MS, type EntryFacts, type Surroundings } from "../../src/reap/rules.ts";
import { AROUND, minutes, NOW_TICKS, proc, SETTINGS } from "../helpers/reap-fixtures.ts";

describe("classifyUnledgered", () => {
  const cases: Array<[string, Partial<ProcInfo>, Partial<Surroundings>, unknown]> = [
    ["orphaned rg past 5m", {}, {}, { kind: "target", reason: "rg" }],
    ["ripgrep by name", { comm: "ripgrep", argv: ["ripgrep", "x"] }, {}, { kind: "target", reason: "rg" }],
    ["rg under 5m", { startTicks: NOW_TICKS - minutes(4) }, {}, { kind: "skip", why: "too-young" }],
    ["rg exactly at 5m", { startTicks: NOW_TICKS - minutes(5) }, {}, { kind: "target", reason: "rg" }],
    ["tagged rg past 3m", { startTicks: NOW_TICKS - minutes(4), argv: ["rg", "@SPEC-12", "src"] }, {}, { kind: "target", reason: "rg-tag" }],
    ["tagged rg under 3m", { startTicks: NOW_TICKS - minutes(2), argv: ["rg", "@TAG", "src"] }, {}, { kind: "skip", why: "too-young" }],
    ["tag word must end: @TAGS is no tag", { startTicks: NOW_TICKS - minutes(4), argv: ["rg", "@TAGS"] }, {}, { kind: "skip", why: "too-young" }],
    ["a tag in the binary path does not count", { startTicks: NOW_TICKS - minutes(4), argv: ["/opt/@TAG/rg", "x"] }, {}, { kind: "skip", why: "too-young" }],
    ["rg whose parent lives", { ppid: 4242 }, {}, { kind: "skip", why: "has-parent" }],
    ["rg under a systemd --user subreaper", { ppid: 700 }, {}, { kind: "target", reason: "rg" }],
    ["another user's rg", { uid: 0 }, {}, { kind: "skip", why: "other-user" }],
    ["owner unreadable", { uid: null }, {}, { kind: "skip", why: "other-user" }],
    ["pid 1", { pid: 1 }, {}, { kind: "skip", why: "init" }],
    ["kernel thread", { kernel: true }, {}, { kind: "skip", why: "kernel-thread" }],
    ["our own ancestor", { pid: 3999 }, {}, { kind: "skip", why: "ancestor" }],
    ["protected (pytest in args)", { argv: ["rg", "pytest", "tests/"] }, {}, { kind: "skip", why: "protected" }],
    ["protected (two-word pattern)", { argv: ["rg", "docker", "compose"] }, {}, { kind: "skip", why: "protected" }],
    ["command line unreadable", { argv: null }, {}, { kind: "skip", why: "unreadable" }],
    ["not a target name", { comm: "node", argv: ["node", "server.js"] }, {}, { kind: "skip", why: "not-a-target" }],
    ["named by comm alone: argv[0] rg under another comm is not rg", { comm: "worker", argv: ["/usr/bin/rg", "x"] }, {}, { kind: "skip", why: "not-a-target" }],
    ["zombie rg past 5m: reported", { state: "Z", argv: null, environ: null }, {}, { kind: "zombie", reason: "rg" }],
    ["zombie rg, young", { state: "Z", startTicks: NOW_TICKS - 10, argv: null }, {}, { kind: "skip", why: "too-young" }],
    ["zombie with a live parent", { state: "Z", ppid: 4242 }, {}, { kind: "skip", why: "has-parent" }],
    [
      "agent shell (CLAUDECODE=1) past 10m",
      { comm: "bash", argv: ["bash", "-c", "sleep 9"], environ: "CLAUDECODE=1\0HOME=/h", startTicks: NOW_TICKS - minutes(11) },
      {},
      { kind: "target", reason: "agent-shell" },
    ],
    [
      "agent shell (session id)",
      { comm: "zsh", argv: ["zsh", "-c", "x"], environ: "CLAUDE_CODE_SESSION_ID=s1", startTicks: NOW_TICKS - minutes(11) },
      {},
      { kind: "target", reason: "agent-shell" },
    ],
    [
      "agent shell (snapshot in args)",
      { comm: "bash", argv: ["/bin/bash", "-c", "source /home/me/.claude/shell-snapshots/snapshot-bash-1.sh && x"], environ: "", startTicks: NOW_TICKS - minutes(11) },
      {},
      { kind: "target", reason: "agent-shell" },
    ],
    [
      "Gemini's orphaned shell wrapper (GEMINI_CLI=1) past 10m",
      { comm: "bash", argv: ["/usr/bin/bash", "-c", "shopt -u promptvars nullglob extglob; ( sleep 9 )"], environ: "GEMINI_CLI=1\0GEMINI_CLI_NO_RELAUNCH=true", startTicks: NOW_TICKS - minutes(11) },
      {},
      { kind: "target", reason: "agent-shell" },
    ],
    ["GEMINI_CLI=0 is no signature", { comm: "bash", argv: ["bash"], environ: "GEMINI_CLI=0", startTicks: NOW_TICKS - minutes(11) }, {}, { kind: "skip", why: "no-signature" }],
    [
      "Codex's orphaned shell (its thread id)",
      { comm: "bash", argv: ["/bin/bash", "-c", "sleep 9"], environ: "CODEX_THREAD_ID=01a2\0CODEX_CI=1", startTicks: NOW_TICKS - minutes(11) },
      {},
      { kind: "target", reason: "agent-shell" },
    ],
    ["CLAUDECODE=0 is no signature", { comm: "bash", argv: ["bash"], environ: "CLAUDECODE=0", startTicks: NOW_TICKS - minutes(11) }, {}, { kind: "skip", why: "no-signature" }],
    ["XCLAUDECODE=1 is no signature", { comm: "bash", argv: ["bash"], environ: "XCLAUDECODE=1", startTicks: NOW_TICKS - minutes(11) }, {}, { kind: "skip", why: "no-signature" }],
    ["shell, environment unreadable", { comm: "sh", argv: ["sh", "-c", "x"], environ: null, startTicks: NOW_TICKS - minutes(11) }, {}, { kind: "skip", why: "no-signature" }],
    ["agent shell under 10m", { comm: "bash", argv: ["bash"], environ: "CLAUDECODE=1", startTicks: NOW_TICKS - minutes(9) }, {}, { kind: "skip", why: "too-young" }],
    ["login shell (argv[0] -bash, comm bash)", { comm: "bash", argv: ["-bash"], environ: "CLAUDECODE=1", startTicks: NOW_TICKS - minutes(11) }, {}, { kind: "target", reason: "agent-shell" }],
    ["--session: same session", { environ: "CLAUDE_CODE_SESSION_ID=s1" }, { session: "s1" }, { kind: "target", reason: "rg" }],
    ["--session: other session", { environ: "CLAUDE_CODE_SESSION_ID=s2" }, { session: "s1" }, { kind: "skip", why: "other-session" }],
    ["--session: no session known", { environ: null }, { session: "s1" }, { kind: "skip", why: "other-session" }],
    ["start time in the future (clock oddity) is age 0", { startTicks: NOW_TICKS + 50 }, {}, { kind: "skip", why: "too-young" }],
  ];
  for (const [name, over, around, expected] of cases) {
    test(name, () => {
      expect(classifyUnledgered(proc({ pid: 5000, ...over }), SETTINGS, { ...AROUND, ...around })).toEqual(expected as never);
    });
  }
});

describe("classifyEntry", () => {
  const base: EntryFacts = { bootMatches: true, wrapperAlive: true, alive: 1, deadlineAt: 10_000, graceMs: 3_000 };
  const cases: Array<[string, Partial<EntryFacts>, number, string]> = [
    ["wrapper alive, within its deadline", {}, 5_000, "running"],
    ["wrapper alive, just past deadline + grace + slack", {}, 10_000 + 3_000 + OVERDUE_SLACK_MS + 1, "overdue"],
    ["wrapper alive, past deadline but within the slack", {}, 10_000 + 3_000 + OVERDUE_SLACK_MS, "running"],
    // Ctrl-Z: the wrapper stopped its command's group and then itself; its deadline fires on `fg`.
    ["wrapper and command stopped by their user, long past the deadline", { jobStopped: true }, 1e12, "running"],
    ["stopped by their user, the agent gone", { jobStopped: true, ownerAlive: false }, 1e12, "owner-dead"],
    ["no deadline is never overdue", { deadlineAt: null }, 1e12, "running"],
    ["infinite grace is never overdue", { graceMs: null }, 1e12, "running"],
    ["wrapper dead, processes alive", { wrapperAlive: false }, 5_000, "owner-dead"],
    ["wrapper dead, nothing alive", { wrapperAlive: false, alive: 0 }, 5_000, "lost"],
    ["another boot", { bootMatches: false }, 5_000, "lost"],
    ["wrapper identity never recorded, processes alive", { wrapperAlive: null }, 5_000, "unknown"],
    ["wrapper identity never recorded, nothing alive (as ls says)", { wrapperAlive: null, alive: 0 }, 5_000, "lost"],
    ["wrapper alive, its agent (CLAUDE_PID) gone", { ownerAlive: false }, 5_000, "owner-dead"],
    ["wrapper alive, its agent gone, nothing of the command left", { ownerAlive: false, alive: 0 }, 5_000, "running"],
    ["wrapper alive, agent alive", { ownerAlive: true }, 5_000, "running"],
    ["no agent recorded", { ownerAlive: null }, 5_000, "running"],
    ["kept: wrapper dead, processes alive", { keep: true, wrapperAlive: false }, 5_000, "kept"],
    ["kept: its agent gone", { keep: true, ownerAlive: false }, 5_000, "kept"],
    ["kept: past deadline + grace + slack", { keep: true }, 10_000 + 3_000 + OVERDUE_SLACK_MS + 1, "kept"],
    ["kept, wrapper dead, nothing alive: still lost", { keep: true, wrapperAlive: false, alive: 0 }, 5_000, "lost"],
    ["kept, running: running", { keep: true }, 5_000, "running"],
  ];
  for (const [name, over, now, expected] of cases) {
    test(name, () => expect(classifyEntry({ ...base, ...over }, now)).toBe(expected as never));
  }
});
