// SessionEnd's front end, its pure parts: which of a plan's entries and targets SessionEnd
// ends, and the follow-up's arguments (what the hook signalled), hostile ones included.

import { describe, expect, test } from "bun:test";
import { DEFAULT_CONFIG, type Config } from "../../src/config/defaults.ts";
import type { EntryRow } from "../../src/ledger/entries.ts";
import type { EntryDecision, PlannedTarget } from "../../src/reap/plan.ts";
import { entriesToEnd, keepSettings, leftoversToEnd, parseSignalledArgs, signalledArgs, type Signalled } from "../../src/stop/session.ts";

const BOOT = "0d6c5b1e-58a4-4c7e-9a51-1f8f3c1d2e3f";

function decision(id: string, atSessionEnd: EntryDecision["atSessionEnd"]): EntryDecision {
  return { row: { id } as EntryRow, verdict: "running", group: null, keep: atSessionEnd === "kept", targeted: 0, atSessionEnd };
}

function target(pid: number, zombie = false): PlannedTarget {
  return { proc: { pid, startTicks: pid * 10 } as PlannedTarget["proc"], reason: "session-end", ledgerId: null, zombie };
}

describe("entriesToEnd: only the entries the plan says SessionEnd may end", () => {
  test.each([
    ["end", true],
    ["kept", false],
    ["other-owner", false],
    ["other-namespace", false],
    [null, false],
  ] as const)("atSessionEnd %p: ended %p", (atSessionEnd, ended) => {
    expect(entriesToEnd({ entries: [decision("e1", atSessionEnd)] }).map((r) => r.id)).toEqual(ended ? ["e1"] : []);
  });

  test("a mixed plan keeps its order", () => {
    const entries = [decision("a", "end"), decision("b", "other-owner"), decision("c", "end"), decision("d", null)];
    expect(entriesToEnd({ entries }).map((r) => r.id)).toEqual(["a", "c"]);
  });
});

describe("leftoversToEnd", () => {
  test("every target but a zombie, by identity", () => {
    const ids = leftoversToEnd({ targets: [target(11), target(12, true), target(13)] });
    expect(ids.map((p) => [p.pid, p.startTicks])).toEqual([[11, 110], [13, 130]]);
  });
});

describe("keepSettings: the loaded config's lists, not the built-in ones", () => {
  test("a user's additions are what SessionEnd keeps", () => {
    const config: Config = { ...DEFAULT_CONFIG, reap: { ...DEFAULT_CONFIG.reap, protect: ["pytest", "myserver"], sessionKeep: ["tmux", "mux"] } };
    expect(keepSettings(config)).toEqual({ protect: ["pytest", "myserver"], sessionKeep: ["tmux", "mux"] });
  });
});

describe("the follow-up's arguments", () => {
  test.each<[string, Signalled]>([
    ["nothing", { entries: [], leftovers: [] }],
    ["entries only", { entries: ["k3x9a", "0abc"], leftovers: [] }],
    ["leftovers only", { entries: [], leftovers: [{ bootId: BOOT, pid: 4_194_304, startTicks: 0 }] }],
    ["both", { entries: ["z9"], leftovers: [{ bootId: BOOT, pid: 2, startTicks: 123_456_789_012 }, { bootId: "unknown", pid: 77, startTicks: 5 }] }],
  ])("%s: round trip", (_, signalled) => {
    expect(parseSignalledArgs(signalledArgs(signalled))).toEqual(signalled);
  });

  test("one argument per identity, so none grows with the session", () => {
    const leftovers = Array.from({ length: 1000 }, (_, i) => ({ bootId: BOOT, pid: i + 2, startTicks: i }));
    const args = signalledArgs({ entries: ["a"], leftovers });
    expect(args).toHaveLength(1001);
    expect(Math.max(...args.map((a) => a.length))).toBeLessThan(100);
  });

  test.each([
    [""],
    ["entry:"],
    ["entry:ABC"],
    ["entry:a b"],
    ["entry:a;rm -rf /"],
    ["process:"],
    [`process:${BOOT}:0:5`],
    [`process:${BOOT}:-1:5`],
    [`process:${BOOT}:1.5:5`],
    [`process:${BOOT}:12:-5`],
    [`process:${BOOT}:12:05`],
    [`process:${BOOT}:12345678901:5`],
    [`process:${BOOT}:12`],
    [`process::12:5`],
    [`process:a b:12:5`],
    [`process:${BOOT}:12:5:6`],
    [`process:${BOOT}:0x10:5`],
    ["--grace=0"],
    ["12"],
    [" entry:a"],
    ["entry:a\n"],
  ])("refused, nothing parsed: %p", (arg) => {
    expect(() => parseSignalledArgs(["entry:ok", arg])).toThrow(/session-end-follow-up: not an entry:ID or process:BOOT:PID:TICKS argument/);
  });
});
