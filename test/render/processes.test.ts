// The `ps` table's session headers: from every row of the session (as --json gives them),
// never from whichever row came first.

import { describe, expect, test } from "bun:test";
import type { ShownProcess as OwnedProcess } from "../../src/ownership/owned-now.ts";
import { renderOwnedProcesses } from "../../src/render/processes.ts";

const row = (over: Partial<OwnedProcess>): OwnedProcess => ({
  pid: 100,
  ppid: 1,
  pgid: 100,
  agent: "claude-code",
  session: "s",
  ownerPid: null,
  owner: "unknown",
  ledgerId: null,
  orphaned: false,
  state: "S",
  ageSeconds: 1,
  cpuSeconds: 0,
  rssBytes: null,
  command: "sleep 1",
  argv: ["sleep", "1"],
  keep: false,
  keptBy: null,
  uid: 0,
  pidNamespace: "same",
  activity: "unknown",
  activitySince: null,
  cpuPercent: 0,
  ports: [],
  lastOutputAt: null,
  ...over,
});

const headers = (rows: OwnedProcess[]) =>
  renderOwnedProcesses(rows, null, false)
    .split("\n")
    .filter((line) => line.startsWith("session ") || line.startsWith("no agent session"));

describe("ps session headers", () => {
  test.each<[string, OwnedProcess[], string[]]>([
    ["one row, owner alive", [row({ ownerPid: 7, owner: "alive" })], ["session s (claude-code), owner 7 alive"]],
    ["the first row names no owner (an entry), a later one does", [row({ agent: null }), row({ pid: 101, ownerPid: 7, owner: "alive" })], ["session s (claude-code), owner 7 alive"]],
    ["no row names an owner", [row({}), row({ pid: 101 })], ["session s (claude-code), owner unknown"]],
    ["an owner judged without a pid still heads the session as the row says", [row({}), row({ pid: 101, owner: "alive" })], ["session s (claude-code), owner ? alive"]],
    ["two CLIs share the session id", [row({ ownerPid: 7, owner: "alive" }), row({ pid: 101, ownerPid: 8, owner: "gone" }), row({ pid: 102, ownerPid: 7, owner: "alive" })], ["session s (claude-code), owners 7 alive, 8 gone"]],
    [
      "a row in another pid namespace names no owner here, and the header says it was not judged",
      [row({ ownerPid: 3, owner: "unknown", pidNamespace: "other" }), row({ pid: 101, ownerPid: 7, owner: "alive" })],
      ["session s (claude-code), owner 7 alive; not judged for 1 process in another (or unreadable) pid namespace"],
    ],
    [
      "only rows elsewhere",
      [row({ ownerPid: 3, pidNamespace: "other" }), row({ pid: 101, pidNamespace: "unreadable" })],
      ["session s (claude-code), owner unknown; not judged for 2 processes in another (or unreadable) pid namespace"],
    ],
    ["entries of no session", [row({ session: null, agent: null, ledgerId: "abcdefghij" })], ["no agent session (supervise entries only)"]],
    ["a hostile session id is escaped", [row({ session: "s\x1b[2J\nx" })], ["session s\\x1b[2J\\nx (claude-code), owner unknown"]],
    ["sessions keep their first-seen order", [row({ session: "b" }), row({ pid: 101, session: "a" }), row({ pid: 102, session: "b", ownerPid: 9, owner: "gone" })], ["session b (claude-code), owner 9 gone", "session a (claude-code), owner unknown"]],
  ])("%s", (_, rows, expected) => {
    expect(headers(rows)).toEqual(expected);
  });

  test("each row says when its pid namespace is not ps's", () => {
    const text = renderOwnedProcesses([row({ command: "a", orphaned: true }), row({ pid: 101, command: "b", pidNamespace: "other" }), row({ pid: 102, command: "c", orphaned: true, pidNamespace: "unreadable" })], null, false);
    expect(text).toContain("a (orphaned)\n");
    expect(text).toContain("b (another pid namespace)\n");
    expect(text).toContain("c (orphaned, pid namespace unreadable)\n");
  });

  test("a DOING column once some row has something to say: its entry's judgement, dated; a port it serves", () => {
    const now = Date.parse("2026-12-03T12:00:00Z");
    const none = renderOwnedProcesses([row({})], null, false, now);
    expect(none).not.toContain("DOING");
    const text = renderOwnedProcesses(
      [row({ ledgerId: "a1b2c3d4e5", activity: "stalled", activitySince: "2026-12-03T11:48:00Z" }), row({ pid: 101, activity: "serving", ports: [3000, 3001] }), row({ pid: 102 })],
      null,
      false,
      now,
    );
    const lines = text.split("\n").filter((line) => /^\s*\d/.test(line));
    expect(lines.map((line) => line.split(/\s{2,}/)[2])).toEqual(["stalled 12m", "serving :3000,:3001", "-"]);
  });

  test("on a terminal each owner is coloured by its state", () => {
    const text = renderOwnedProcesses([row({ ownerPid: 7, owner: "alive" }), row({ pid: 101, ownerPid: 8, owner: "gone" })], null, true);
    expect(text.split("\n")[0]).toBe("session s (claude-code), owners \x1b[32m7 alive\x1b[0m, \x1b[31m8 gone\x1b[0m");
  });
});
