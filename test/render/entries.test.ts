// The `ls` table: its columns, what is dropped in a narrow terminal, colour.

import { describe, expect, test } from "bun:test";
import { renderEntries } from "../../src/render/entries.ts";
import type { EntryJson } from "../../src/entry/view.ts";

const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");
const widest = (text: string) => Math.max(...visible(text).trimEnd().split("\n").map((l) => l.length));

describe("ls table", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  const entry = (over: Partial<EntryJson>): EntryJson => ({
    id: "abcdefgh12",
    pid: 4242,
    pgid: 4242,
    wrapperPid: 4240,
    state: "running",
    exitCode: null,
    exitStatus: null,
    signal: null,
    reason: null,
    command: ["rg", "--files", "/a/very/long/path/that/does/not/fit/anywhere/narrow"],
    cwd: "/",
    session: "0b9c3f1e-1111-2222-3333-444455556666",
    name: null,
    startedAt: "2026-01-01T00:00:00Z",
    endedAt: null,
    deadlineAt: "2026-01-01T00:15:00Z",
    activity: "unknown",
    activitySince: null,
    activityJudgedAt: null,
    cpuPercent: null,
    rssBytes: null,
    ports: [],
    lastOutputAt: null,
    lastLine: null,
    ...over,
  });
  const entries = [
    entry({}),
    entry({ id: "zzzzzzzzzz", state: "killed", signal: "TERM", reason: "deadline", endedAt: "2026-01-01T00:05:00Z", name: "scan" }),
    entry({ id: "yyyyyyyyyy", state: "orphaned", deadlineAt: "2026-01-01T00:01:00Z" }),
    entry({ id: "xxxxxxxxxx", deadlineAt: null, session: null }),
  ];

  test("columns, ages, deadline left, short session, name before the command; how it ended is in STATE, and when in ENDED", () => {
    const lines = renderEntries(entries, now, null, false).split("\n");
    expect(lines[0]).toMatch(/^ID\s+PID\s+STATE\s+AGE\s+ENDED\s+DEADLINE\s+SESSION\s+COMMAND$/);
    expect(lines[1]).toMatch(/^abcdefgh12\s+4242\s+running\s+10m\s+-\s+5m\s+0b9c3f1e\s+rg --files/);
    expect(lines[2]).toMatch(/^zzzzzzzzzz\s+4242\s+killed TERM\s+5m\s+5m ago\s+-\s+0b9c3f1e\s+scan: rg/);
    expect(lines[3]).toMatch(/\borphaned\s+10m\s+-\s+overdue\b/);
    expect(lines[4]).toMatch(/\brunning\s+10m\s+-\s+none\s+-\s+rg/);
  });

  test("ls --all where nothing runs: no DEADLINE column (it would be '-' on every row); an exit code in STATE", () => {
    const ended = [entry({ state: "exited", exitCode: 7, endedAt: "2026-01-01T00:07:00Z" }), entry({ id: "zzzzzzzzzz", state: "killed", signal: "TERM", endedAt: "2026-01-01T00:05:00Z" })];
    const lines = renderEntries(ended, now, 100, false).split("\n");
    expect(lines[0]).toMatch(/^ID\s+PID\s+STATE\s+AGE\s+ENDED\s+SESSION\s+COMMAND$/);
    // At 60 columns the session goes first; how and when each ended stay.
    expect(renderEntries(ended, now, 60, false).split("\n")[0]).toMatch(/^ID\s+PID\s+STATE\s+AGE\s+ENDED\s+COMMAND$/);
    expect(lines[1]).toMatch(/^abcdefgh12\s+4242\s+exited 7\s+7m\s+3m ago\s/);
    expect(lines[2]).toMatch(/\bkilled TERM\s+5m\s+5m ago\s/);
    // Only running entries: no ENDED.
    expect(renderEntries([entry({})], now, null, false).split("\n")[0]).toMatch(/^ID\s+PID\s+STATE\s+AGE\s+DEADLINE\s+SESSION\s+COMMAND$/);
  });

  for (const width of [100, 80, 60, 40, 20]) {
    test(`fits a ${width}-column terminal`, () => {
      const out = renderEntries(entries, now, width, true);
      expect(widest(out)).toBeLessThanOrEqual(width);
      expect(visible(out)).toContain("abcdefgh12");
    });
  }

  test("colour only when asked: state painted, widths unchanged", () => {
    const plain = renderEntries(entries, now, 80, false);
    const painted = renderEntries(entries, now, 80, true);
    expect(plain).not.toContain("\x1b[");
    expect(painted).toContain("\x1b[32mrunning");
    expect(visible(painted)).toBe(plain);
  });
});
