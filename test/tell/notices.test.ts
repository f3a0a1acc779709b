// What the agent is told of one entry, as a table: each kind of change, each agent's own
// telling, and the stored text any process may have left in the row.

import { describe, expect, test } from "bun:test";
import { label, toldAfter, toldKeys, untoldNotices, type NoticeRow } from "../../src/tell/notices.ts";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const MIN = 60_000;
const activity = (state: string, sinceMinAgo: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ state, since: NOW - sinceMinAgo * MIN, at: NOW, cpuPercent: 97.6, rssBytes: 1, ports: [], outputAt: null, ...extra });

const base: NoticeRow = {
  id: "a1b2c3",
  name: "npm test",
  command: JSON.stringify(["bash", "-c", "npm test"]),
  state: "running",
  reason: null,
  exit_code: null,
  end_signal: null,
  exit_status: null,
  started_at: NOW - 30 * MIN,
  ended_at: null,
  session_bound: 1,
  activity: null,
  left_running: null,
  told: null,
};
const ended = (over: Partial<NoticeRow>): NoticeRow => ({ ...base, state: "exited", ended_at: NOW - MIN, exit_code: 0, exit_status: 0, ...over });
const left = JSON.stringify({ count: 2, processes: [{ pid: 4242, command: "python3 -m http.server 8000" }] });

type Row = [string, NoticeRow, boolean, string | null];
const ROWS: Row[] = [
  ["running, busy: nothing", { ...base, activity: activity("busy", 1) }, true, null],
  ["running, serving: nothing", { ...base, activity: activity("serving", 20, { ports: [3000] }) }, true, null],
  ["running, quiet: nothing", { ...base, activity: activity("quiet", 2) }, true, null],
  ["running, never judged: nothing", base, true, null],
  [
    "waiting for input, with its prompt",
    { ...base, activity: activity("waiting-input", 12, { lastLine: "? Overwrite snapshot? (y/N)" }) },
    true,
    'supervise: background "npm test" (a1b2c3) has been waiting for input for 12m; its last output line: "? Overwrite snapshot? (y/N)"',
  ],
  ["stalled, nothing written", { ...base, activity: activity("stalled", 10) }, true, 'supervise: background "npm test" (a1b2c3) has stalled: no CPU, no output and no listening socket for 10m'],
  ["spinning", { ...base, activity: activity("spinning", 11) }, true, 'supervise: background "npm test" (a1b2c3) has used 98% of a core for 11m with no output'],
  ["stalled but its wrapper's row says it ended: the end is told, not the stall", ended({ activity: activity("stalled", 10) }), false, 'supervise: background "npm test" (a1b2c3) finished: exited 0 after 29m'],
  ["finished, on an agent that tells ends itself: nothing", ended({}), true, null],
  ["finished, on an agent that does not", ended({}), false, 'supervise: background "npm test" (a1b2c3) finished: exited 0 after 29m'],
  ["finished, not the agent's background call (its own `supervise run`): nothing", ended({ session_bound: 0 }), false, null],
  ["killed by a signal, on an agent that does not tell", ended({ state: "killed", exit_code: null, end_signal: "TERM", reason: "signal" }), false, 'supervise: background "npm test" (a1b2c3) finished: killed by SIGTERM after 29m'],
  [
    "ended by its deadline: told even where the agent tells ends (it does not say why)",
    ended({ state: "killed", exit_code: null, end_signal: "TERM", reason: "deadline", exit_status: 124 }),
    true,
    'supervise: background "npm test" (a1b2c3) was ended by supervise after 29m: its deadline passed (killed by SIGTERM)',
  ],
  ["ended for no progress", ended({ state: "killed", exit_code: null, end_signal: "TERM", reason: "stalled" }), true, 'supervise: background "npm test" (a1b2c3) was ended by supervise after 29m: it made no progress for its idle timeout (killed by SIGTERM)'],
  ["ended as its session ended", ended({ state: "killed", exit_code: null, end_signal: "TERM", reason: "session-end" }), true, 'supervise: background "npm test" (a1b2c3) was ended by supervise after 29m: its session ended (killed by SIGTERM)'],
  [
    "exited, leaving processes: told everywhere",
    ended({ left_running: left }),
    true,
    'supervise: background "npm test" (a1b2c3) exited 0 after 29m but left 2 processes running: python3 -m http.server 8000 (pid 4242) and 1 more',
  ],
  ["exited, supervise ended what it left", ended({ reason: "leftovers" }), true, 'supervise: background "npm test" (a1b2c3) exited 0 after 29m; supervise then ended what it had left running'],
  [
    "ended by `supervise kill`, a kept process still running",
    ended({ state: "killed", exit_code: null, end_signal: "TERM", reason: "manual", left_running: JSON.stringify({ count: 1, processes: [{ pid: 7, command: "tmux" }] }) }),
    true,
    'supervise: background "npm test" (a1b2c3) was ended by supervise after 29m: `supervise kill` asked (killed by SIGTERM); still running: tmux (pid 7)',
  ],
  ["lost", ended({ state: "lost", exit_code: null, exit_status: null }), true, 'supervise: background "npm test" (a1b2c3) is gone with no end recorded: its wrapper and processes died unseen'],
  // Hostile or damaged stored text: never a throw, never a made-up line.
  ["activity not JSON", { ...base, activity: "{not json" }, true, null],
  ["activity of an unknown state", { ...base, activity: activity("exploded", 10) }, true, null],
  ["left_running not JSON: no leftovers said", ended({ left_running: "[[[", session_bound: 0 }), false, null],
  ["left_running with a zero count", ended({ left_running: JSON.stringify({ count: 0, processes: [] }), session_bound: 0 }), false, null],
  ["told not JSON counts as nothing told", { ...base, activity: activity("stalled", 10), told: "garbage" }, true, 'supervise: background "npm test" (a1b2c3) has stalled: no CPU, no output and no listening socket for 10m'],
];

describe("untoldNotices", () => {
  for (const [name, row, agentTellsEnds, line] of ROWS) {
    test(name, () => {
      expect(untoldNotices(row, NOW, { agentTellsEnds }).map((n) => n.line)).toEqual(line === null ? [] : [line]);
    });
  }

  test("told once: the same stall is not told again; a new stall (a later since) is", () => {
    const row = { ...base, activity: activity("stalled", 10) };
    const [first] = untoldNotices(row, NOW, { agentTellsEnds: true });
    const after = { ...row, told: toldAfter(row, [first!.key]) };
    expect(untoldNotices(after, NOW, { agentTellsEnds: true })).toEqual([]);
    expect(untoldNotices({ ...after, activity: activity("stalled", 2) }, NOW, { agentTellsEnds: true })).toHaveLength(1);
    expect(untoldNotices({ ...after, activity: activity("waiting-input", 10) }, NOW, { agentTellsEnds: true })).toHaveLength(1);
  });

  test("an end, once told, is not told again", () => {
    const row = ended({ reason: "deadline" });
    expect(untoldNotices({ ...row, told: toldAfter(row, ["end"]) }, NOW, { agentTellsEnds: false })).toEqual([]);
  });
});

describe("told keys", () => {
  test("keeps the latest eight; anything that is not a JSON array of strings holds none", () => {
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    expect(toldKeys(toldAfter({ told: null }, keys))).toEqual(keys.slice(2));
    for (const text of [null, "", "x", "{}", "[1,2]", '"end"']) expect(toldKeys(text)).toEqual([]);
    expect(toldKeys('["end", 3]')).toEqual(["end"]);
  });
});

describe("label", () => {
  test.each([
    [{ name: "dev server", command: '["npm","run","dev"]' }, "dev server"],
    [{ name: null, command: '["bash","-c","npm run dev &"]' }, "npm run dev &"],
    [{ name: null, command: '["/bin/sh","-c","sleep 1"]' }, "sleep 1"],
    [{ name: null, command: '["rg","TODO","src"]' }, "rg TODO src"],
    [{ name: null, command: "not json" }, "not json"],
    [{ name: null, command: '["bash","-c","a\\n  b"]' }, "a b"],
    [{ name: "x".repeat(80), command: "[]" }, `${"x".repeat(59)}…`],
  ])("%j", (row, expected) => {
    expect(label(row as never)).toBe(expected);
  });
});
