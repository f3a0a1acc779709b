// What the wrapper finds of its command beyond its group and cookie: its own descendants
// (it is their subreaper), and which of them each of its stops may end.

import { describe, expect, test } from "bun:test";
import { descendantsOf, endableDescendants, forkPending, type ProcFacts } from "../../src/run/leftovers.ts";
import { entryPolicy } from "../../src/stop/entry-policy.ts";
import type { StopPath } from "../../src/policy/lifecycle.ts";
import type { ProcStat } from "../../src/proc/stat.ts";

const WRAPPER = 100;
/** The command's process group (its leader has exited). */
const GROUP = 110;
const KEEP = { protect: ["pytest"], sessionKeep: ["tmux"] };

const proc = (pid: number, ppid: number, pgrp: number, comm = "sleep") => ({ pid, ppid, pgrp, comm, startTicks: 1000 + pid, state: "S" }) as ProcStat;

/** What each pid's command line and environment say; a pid missing from `argv` is unreadable. */
const TREE: Array<[ProcStat, string[] | null, string]> = [
  [proc(111, WRAPPER, GROUP), ["sleep", "100"], "PATH=/bin"],
  [proc(112, WRAPPER, GROUP), ["sleep", "100"], "SUPERVISE_KEEP=1"],
  [proc(120, WRAPPER, 120), ["server"], ""],
  [proc(121, 120, 120), ["worker"], ""],
  [proc(130, WRAPPER, 130), ["server"], "A=1\0SUPERVISE_KEEP=1"],
  [proc(131, 130, 130), ["worker"], ""],
  [proc(140, WRAPPER, 140, "tmux: server"), ["tmux", "new", "-d"], ""],
  [proc(141, 140, 141, "bash"), ["-bash"], ""],
  [proc(150, WRAPPER, 150), null, ""],
  [proc(160, WRAPPER, 160, "python3"), ["python3", "-m", "pytest"], ""],
  [proc(170, WRAPPER, 170), ["carrier"], ""],
  // The init of a pid namespace the command made (`unshare --pid --fork`): ending it ends everything in it.
  [proc(180, WRAPPER, 180), ["sleep", "100"], ""],
  // Not ours: init's child, and a sibling of the wrapper.
  [proc(900, 1, 900), ["elsewhere"], ""],
  [proc(901, 99, 901), ["sibling"], ""],
];
const STATS = TREE.map(([p]) => p);
const FACTS: ProcFacts = {
  argv: (pid) => TREE.find(([p]) => p.pid === pid)?.[1] ?? null,
  environ: (pid) => TREE.find(([p]) => p.pid === pid)?.[2] ?? null,
  sameNamespace: (p) => p.pid !== 180,
};
/** A cookie carrier: the entry's own lookup finds it, and its own policy judges it. */
const COVERED = new Set([170]);

describe("descendantsOf", () => {
  test("every process below the wrapper, nearest first; nothing outside it", () => {
    expect(descendantsOf(WRAPPER, STATS).map((p) => p.pid)).toEqual([111, 112, 120, 130, 140, 150, 160, 170, 180, 121, 131, 141]);
  });

  test("a cycle in the data ends the walk; the root itself is never its own descendant", () => {
    const cycle = [proc(2, WRAPPER, 2), proc(3, 2, 3), proc(WRAPPER, 3, WRAPPER)];
    expect(descendantsOf(WRAPPER, cycle).map((p) => p.pid).sort()).toEqual([2, 3]);
    expect(descendantsOf(WRAPPER, [])).toEqual([]);
  });
});

describe("endableDescendants: which adopted processes each of the wrapper's stops may end", () => {
  const cases: Array<[string, StopPath, { keepOrphaned?: boolean; sessionBound?: boolean }, number[]]> = [
    // Left at exit: what carries no keep mark and is not under one.
    ["leftovers", "leftovers", {}, [111, 120, 121]],
    // The deadline and signals reach the entry's own group whatever it holds; beyond it, keep marks hold.
    ["deadline", "deadline", {}, [111, 112, 120, 121]],
    ["signal", "signal", {}, [111, 112, 120, 121]],
    ["parent-died", "parent-died", {}, [111, 120, 121]],
    ["leftovers of a --keep-orphaned entry", "leftovers", { keepOrphaned: true }, []],
    ["leftovers of a session-bound entry: its session's", "leftovers", { sessionBound: true }, []],
    ["the deadline of a --keep-orphaned entry: its group only", "deadline", { keepOrphaned: true }, [111, 112]],
    ["the deadline of a session-bound entry", "deadline", { sessionBound: true }, [111, 112, 120, 121]],
    // Not the wrapper's paths: nothing.
    ["sweep", "sweep", {}, []],
    ["kill", "kill", {}, [111, 112, 120, 121, 130, 131, 140, 141, 150, 160]],
  ];
  for (const [name, path, entry, expected] of cases) {
    test(name, () => {
      const policy = entryPolicy(path, { keepOrphaned: entry.keepOrphaned ?? false, sessionBound: entry.sessionBound ?? false, asked: false }, KEEP);
      const found = endableDescendants(descendantsOf(WRAPPER, STATS), COVERED, GROUP, policy, FACTS);
      expect(found.map((p) => p.pid).sort()).toEqual(expected);
    });
  }

  test("an unrecorded group (pgid null): every adopted process is an escape", () => {
    const policy = entryPolicy("deadline", { keepOrphaned: false, sessionBound: false, asked: false }, KEEP);
    expect(endableDescendants(descendantsOf(WRAPPER, STATS), COVERED, null, policy, FACTS).map((p) => p.pid).sort()).toEqual([111, 120, 121]);
  });

  test("a leftover caught inside its execve (its command line reads empty) is kept on the leftovers path: it cannot be read yet", () => {
    const execing: Array<[ProcStat, string[] | null, string]> = [
      [proc(300, WRAPPER, 300), [], ""],
      [proc(301, WRAPPER, 301), ["sleep", "100"], ""],
    ];
    const facts: ProcFacts = { argv: (pid) => execing.find(([p]) => p.pid === pid)?.[1] ?? null, environ: (pid) => execing.find(([p]) => p.pid === pid)?.[2] ?? null, sameNamespace: () => true };
    const policy = entryPolicy("leftovers", { keepOrphaned: false, sessionBound: false, asked: false }, KEEP);
    expect(endableDescendants(descendantsOf(WRAPPER, execing.map(([p]) => p)), new Set(), null, policy, facts).map((p) => p.pid)).toEqual([301]);
  });

  test("another entry's process (a nested supervise run, its own cookie) and what runs below it are never this wrapper's to end", () => {
    const nested: Array<[ProcStat, string[] | null, string]> = [
      [proc(200, WRAPPER, 200), ["sleep", "300"], "SUPERVISE_ID=inner1"],
      [proc(201, 200, 200), ["sleep", "301"], "HOME=/h"],
      [proc(202, WRAPPER, 202), ["sleep", "302"], "SUPERVISE_ID=outer1"],
    ];
    const facts: ProcFacts = { argv: (pid) => nested.find(([p]) => p.pid === pid)?.[1] ?? null, environ: (pid) => nested.find(([p]) => p.pid === pid)?.[2] ?? null, sameNamespace: () => true };
    for (const path of ["leftovers", "deadline", "parent-died", "kill"] as const) {
      const policy = entryPolicy(path, { keepOrphaned: false, sessionBound: false, asked: false }, KEEP);
      const found = endableDescendants(descendantsOf(WRAPPER, nested.map(([p]) => p)), new Set(), null, policy, facts, "outer1");
      expect([path, found.map((p) => p.pid)]).toEqual([path, [202]]);
    }
  });
});

describe("forkPending: the leftover cleanup waits while a fork has yet to exec", () => {
  const COMMAND = ["sh", "-c", "x &"];
  const lines = new Map<number, string[] | null>([
    [1, COMMAND],
    [2, []],
    [3, ["sleep", "100"]],
    [4, null],
  ]);
  const argv = (pid: number) => lines.get(pid) ?? null;
  const p = (pid: number, state = "S") => ({ pid, state });
  const rows: Array<[string, Array<{ pid: number; state: string }>, Array<{ pid: number; state: string }>, boolean]> = [
    ["an entry process still runs the command's own line (forked, not exec'd)", [p(1)], [], true],
    ["an entry process reads empty (inside its execve)", [p(2)], [], true],
    // `env -i setsid sleep &`: out of the group and without the cookie, found only below the wrapper.
    ["a descendant outside the entry's lookup reads empty", [p(3)], [p(2)], true],
    ["a descendant that still shows the command's line is not the entry's fork: not waited on", [], [p(1)], false],
    ["everything exec'd", [p(3)], [p(3)], false],
    ["an unreadable line is not a pending fork", [p(4)], [p(4)], false],
    ["a zombie reads empty and is not waited on", [p(2, "Z")], [p(2, "Z")], false],
    ["nothing at all", [], [], false],
  ];
  test.each(rows)("%s", (_name, entry, descendants, pending) => {
    expect(forkPending(entry, descendants, COMMAND, argv)).toBe(pending);
  });
});
