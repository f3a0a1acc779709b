// One frame of `supervise top`: CPU rates between looks, sessions ordered by what they burn,
// narrow terminals, colour only when asked.

import { describe, expect, test } from "bun:test";
import type { ShownProcess } from "../../src/ownership/owned-now.ts";
import { cpuRates, renderFrame, type FrameInput } from "../../src/top/frame.ts";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const row = (over: Partial<ShownProcess>): ShownProcess => ({
  pid: 100,
  ppid: 1,
  pgid: 100,
  agent: "claude-code",
  session: "aaaaaaaa-1111",
  ownerPid: 50,
  owner: "alive",
  ledgerId: null,
  orphaned: false,
  state: "S",
  ageSeconds: 100,
  cpuSeconds: 10,
  rssBytes: 10 * 1048576,
  command: "node server.js",
  argv: ["node", "server.js"],
  keep: false,
  keptBy: null,
  uid: 0,
  pidNamespace: "same",
  activity: "unknown",
  activitySince: null,
  cpuPercent: 10,
  ports: [],
  lastOutputAt: null,
  ...over,
});
const frame = (rows: ShownProcess[], over: Partial<FrameInput> = {}) =>
  renderFrame({ rows: cpuRates(rows, null, 0), now: NOW, windowMs: 2000, sort: "cpu", width: null, colour: false, keys: false, ...over });

describe("cpuRates", () => {
  test("over the window from the last look; a process not seen then, or a pid reused by a younger one, by its lifetime", () => {
    const rows = [row({ pid: 1, cpuSeconds: 13 }), row({ pid: 2, cpuSeconds: 5, cpuPercent: 7 }), row({ pid: 3, cpuSeconds: 1, cpuPercent: 2 })];
    const rates = cpuRates(rows, new Map([[1, 12], [3, 9]]), 2000);
    expect(rates.map((r) => r.cpuNow)).toEqual([50, 7, 2]);
  });
});

describe("renderFrame", () => {
  const rows = [
    row({ pid: 10, session: "idle-session", cpuPercent: 0.5, rssBytes: 900 * 1048576, command: "vite" }),
    row({ pid: 20, session: "busy-session", owner: "gone", ownerPid: 60, cpuPercent: 300, command: "rg --files /", ledgerId: "a1b2c3d4e5", activity: "spinning", activitySince: "2026-12-03T11:48:00Z" }),
    row({ pid: 21, session: "busy-session", owner: "gone", ownerPid: 60, cpuPercent: 1, orphaned: true, command: "sleep 1000" }),
    row({ pid: 30, session: null, agent: null, ownerPid: null, owner: "unknown", ledgerId: "zzzzzzzzzz", cpuPercent: 0, activity: "serving", ports: [3000], command: "python3 -m http.server 3000" }),
  ];

  test("sessions by CPU, their processes by CPU; the owner's state, the entry or 'leftover', what each does", () => {
    const lines = frame(rows).split("\n");
    expect(lines[0]).toBe("supervise top 12:00:00Z  3 sessions, 4 processes, CPU 302%, RSS 930.0M; by CPU, CPU over 2s");
    const sessions = lines.filter((l) => l.startsWith("session") || l.startsWith("entries"));
    expect(sessions).toEqual(["session busy-ses (claude-code) owner 60 gone  CPU 301%", "session idle-ses (claude-code) owner 50 alive  CPU 1%", "entries of no session  CPU 0%"]);
    const rg = lines.find((l) => l.includes("rg --files"))!;
    expect(rg.trim().split(/\s{2,}/)).toEqual(["20", "300.0", "10.0M", "spinning 12m", "-", "a1b2c3d4e5", "rg --files /"]);
    // A PORTS column, as some row listens.
    expect(lines.find((l) => l.includes("PID"))).toContain("PORTS");
    expect(lines.find((l) => l.includes("http.server"))!.trim().split(/\s{2,}/)[4]).toBe(":3000");
    expect(lines.find((l) => l.includes("sleep 1000"))).toContain("leftover");
    expect(lines.find((l) => l.includes("http.server"))).toContain("serving :3000");
    expect(frame(rows)).not.toContain("\x1b[");
  });

  test("by memory: the 900M session first", () => {
    const sessions = frame(rows, { sort: "mem" }).split("\n").filter((l) => l.startsWith("session"));
    expect(sessions[0]).toBe("session idle-ses (claude-code) owner 50 alive  RSS 900.0M");
  });

  test("a narrow terminal drops ENTRY, then DOING, then RSS, and cuts the command: no line is wider", () => {
    for (const width of [40, 60, 80]) {
      const text = frame(rows, { width });
      const table = text.split("\n").filter((l) => /^\s*(PID|\d)/.test(l));
      for (const line of table) expect(line.length).toBeLessThanOrEqual(width);
    }
    const narrow = frame(rows, { width: 40 });
    expect(narrow).not.toContain("ENTRY");
    expect(narrow).toContain("CPU%");
  });

  test("colour only on request: the owner's state painted; the key line only live; nothing to show said plainly", () => {
    expect(frame(rows, { colour: true })).toContain("\x1b[31m60 gone\x1b[0m");
    expect(frame(rows, { keys: true }).split("\n")[1]).toBe("c: sort by CPU  m: by memory  q: quit");
    expect(frame([])).toContain("no process belongs to an agent session or a supervise entry");
  });
});
