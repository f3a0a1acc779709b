// A process's session owner over hand-made tables: every recorded owner of a session, the
// cookie's own owner (recorded or not), Codex's thread lock, and who else may own a session at its end.

import { describe, expect, test } from "bun:test";
import { sessionKey } from "../../src/ledger/sessions.ts";
import type { ThreadLockState } from "../../src/ownership/codex-lock.ts";
import type { OwnerState, RecordedOwner } from "../../src/ownership/owner.ts";
import type { ProcessTable, ProcInfo } from "../../src/ownership/process-table.ts";
import { ownedByAnother, recordedSessionOwner, sessionOwner, type SessionOwnership } from "../../src/ownership/session-owner.ts";
import { NOW_TICKS, proc } from "../helpers/reap-fixtures.ts";

const FIRST = proc({ pid: 800, comm: "codex", startTicks: 100 });
const SECOND = proc({ pid: 801, comm: "codex", startTicks: 200 });
const codex = (pid: number, startTicks: number, over: Partial<RecordedOwner> = {}): RecordedOwner => ({ agent: "codex", pid, startTicks, sameNamespace: true, ...over });

function table(procs: ProcInfo[], sessions: Array<[string, RecordedOwner[]]>, over: Partial<ProcessTable> = {}): ProcessTable {
  return { byPid: new Map(procs.map((p) => [p.pid, p])), unreadable: new Set(), sessions: new Map(sessions), ...over };
}

const leftover = (environ: string, over: Partial<ProcInfo> = {}) => proc({ pid: 5000, comm: "vite", startTicks: NOW_TICKS - 100, environ, sameNamespace: true, ...over });
const thread = (t: string) => leftover(`CODEX_THREAD_ID=${t}`);

describe("sessionOwner: a Codex thread with several recorded owners (newest first)", () => {
  const both = [codex(SECOND.pid, SECOND.startTicks), codex(FIRST.pid, FIRST.startTicks)];
  // Each row but the last two fails on the old code, which knew only the newest owner.
  const cases: Array<[string, ProcInfo[], RecordedOwner[], Partial<ProcessTable>, OwnerState, number | null]> = [
    ["the resume exited, the first codex runs on: alive, by the first", [FIRST], both, {}, "alive", FIRST.pid],
    ["the first exited, the resume runs: alive, by the resume", [SECOND], both, {}, "alive", SECOND.pid],
    ["both alive: alive, by the newest", [FIRST, SECOND], both, {}, "alive", SECOND.pid],
    ["both gone: gone, named by the newest", [], both, {}, "gone", SECOND.pid],
    ["the resume gone, the first's stat unreadable: unknown", [], both, { unreadable: new Set([FIRST.pid]) }, "unknown", FIRST.pid],
    ["the resume gone, the first recorded in another pid namespace: unknown", [], [both[0]!, codex(FIRST.pid, FIRST.startTicks, { sameNamespace: false })], {}, "unknown", FIRST.pid],
    ["the first's pid reused by another process: gone with the resume", [{ ...FIRST, startTicks: 150 }], both, {}, "gone", SECOND.pid],
    ["both gone, a codex still holds the thread lock: alive", [], both, { threadLock: () => "held" as ThreadLockState }, "alive", SECOND.pid],
    ["one owner recorded, gone: gone", [FIRST], [codex(SECOND.pid, SECOND.startTicks)], {}, "gone", SECOND.pid],
  ];
  for (const [name, procs, recorded, over, state, ownerPid] of cases) {
    test(name, () => {
      const owned = sessionOwner(thread("t1"), table(procs, [[sessionKey("codex", "t1"), recorded]], over))!;
      expect([owned.owner, owned.ownerPid]).toEqual([state, ownerPid]);
      expect(owned.owners.map((o) => o.pid)).toEqual(recorded.map((o) => o.pid));
    });
  }

  test("another thread's or another agent's owners say nothing of this one; unrecorded, it is unknown", () => {
    const t = table([FIRST], [[sessionKey("codex", "t2"), [codex(FIRST.pid, FIRST.startTicks)]], [sessionKey("claude-code", "t1"), [codex(FIRST.pid, FIRST.startTicks, { agent: "claude-code" })]]]);
    const owned = sessionOwner(thread("t1"), t)!;
    expect([owned.owner, owned.ownerPid, owned.owners]).toEqual(["unknown", null, [{ pid: null, state: "unknown" }]]);
  });
});

describe("sessionOwner: a cookie naming its owner (Claude Code's CLAUDE_PID)", () => {
  const AGENT = proc({ pid: 900, comm: "claude", startTicks: NOW_TICKS - 50 });
  const cookie = "CLAUDECODE=1\0CLAUDE_CODE_SESSION_ID=s1\0CLAUDE_PID=900";
  const recorded = (startTicks: number, over: Partial<RecordedOwner> = {}) => [[sessionKey("claude-code", "s1"), [{ agent: "claude-code", pid: 900, startTicks, sameNamespace: true, ...over }]]] as Array<[string, RecordedOwner[]]>;
  // The first row fails on the old code: an agent started after the process naming it read as a reused pid.
  const cases: Array<[string, Array<[string, RecordedOwner[]]>, OwnerState]> = [
    ["the agent started after it, and its SessionStart recorded exactly that process: alive", recorded(AGENT.startTicks), "alive"],
    ["the agent started after it, recorded with another start time: gone (a reused pid)", recorded(AGENT.startTicks - 1), "gone"],
    ["the agent started after it, recorded in another pid namespace: gone (a reused pid)", recorded(AGENT.startTicks, { sameNamespace: false }), "gone"],
    ["the agent started after it, nothing recorded: gone (a reused pid)", [], "gone"],
  ];
  for (const [name, sessions, state] of cases) {
    test(name, () => {
      const owned = sessionOwner(leftover(cookie), table([AGENT], sessions))!;
      expect([owned.owner, owned.ownerPid, owned.owners]).toEqual([state, 900, [{ pid: 900, state }]]);
    });
  }

  test("another live recorded owner of the session does not save a process whose own agent is gone", () => {
    const sessions: Array<[string, RecordedOwner[]]> = [[sessionKey("claude-code", "s1"), [{ agent: "claude-code", pid: 901, startTicks: 10, sameNamespace: true }]]];
    const owned = sessionOwner(leftover(cookie), table([proc({ pid: 901, startTicks: 10 })], sessions))!;
    expect(owned.owner).toBe("gone");
  });
});

describe("recordedSessionOwner (a supervise entry's session, by its id alone)", () => {
  test("alive while any recorded owner is, under any agent; null when none was recorded", () => {
    const t = table([FIRST], [[sessionKey("gemini", "s1"), [{ ...codex(SECOND.pid, SECOND.startTicks), agent: "gemini" }, { ...codex(FIRST.pid, FIRST.startTicks), agent: "gemini" }]]]);
    expect(recordedSessionOwner("s1", t)).toEqual({ agent: "gemini", owner: "alive", ownerPid: FIRST.pid });
    expect(recordedSessionOwner("s1", table([], [[sessionKey("gemini", "s1"), [{ ...codex(FIRST.pid, FIRST.startTicks), agent: "gemini" }]]]))).toEqual({ agent: "gemini", owner: "gone", ownerPid: FIRST.pid });
    expect(recordedSessionOwner("s2", t)).toBeNull();
  });
});

describe("ownedByAnother (SessionEnd of `agent`: may another owner still live?)", () => {
  const owned = (owner: OwnerState, ...owners: Array<[number | null, OwnerState]>): Pick<SessionOwnership, "owner" | "owners"> => ({ owner, owners: owners.map(([pid, state]) => ({ pid, state })) });
  const cases: Array<[string, Pick<SessionOwnership, "owner" | "owners">, number | null, boolean]> = [
    ["its only owner is the ending agent", owned("alive", [800, "alive"]), 800, false],
    ["its only owner is another, alive", owned("alive", [801, "alive"]), 800, true],
    ["its only owner is another, unknown", owned("unknown", [801, "unknown"]), 800, true],
    ["the ending agent and another live owner (the first codex of a resumed thread)", owned("alive", [800, "alive"], [801, "alive"]), 800, true],
    ["the ending agent and a gone owner", owned("alive", [800, "alive"], [801, "gone"]), 800, false],
    ["every owner gone", owned("gone", [800, "gone"], [801, "gone"]), 800, false],
    ["every recorded owner gone, a thread lock keeps it alive", owned("alive", [801, "gone"]), 800, true],
    ["no owner pid, the ending agent unknown", owned("unknown", [null, "unknown"]), null, false],
    ["no owner pid, the ending agent known", owned("unknown", [null, "unknown"]), 800, true],
  ];
  for (const [name, o, agent, expected] of cases) test(name, () => expect(ownedByAnother(o, agent)).toBe(expected));
});
