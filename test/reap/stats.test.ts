// The reap history summed up: totals, average, most common reason, dry runs apart, bars.

import { describe, expect, test } from "bun:test";
import type { HistoryRun } from "../../src/reap/history.ts";
import { countActions, type ReportTarget } from "../../src/reap/report.ts";
import { historyStats } from "../../src/reap/stats.ts";
import { renderStats } from "../../src/render/stats.ts";

function target(reason: ReportTarget["reason"], action: ReportTarget["action"]): ReportTarget {
  return { pid: 100, pgid: 100, name: "rg", command: "rg x", argv: ["rg", "x"], reason, ageSeconds: 400, ledgerId: null, action, signal: "TERM", durationMs: 5 };
}

function run(id: number, targets: ReportTarget[], dryRun = false): HistoryRun {
  return {
    id,
    at: Date.parse("2026-01-01T00:00:00Z") + id * 60_000,
    trigger: "session-start",
    session: "s",
    dryRun,
    report: { scanned: 300, durationMs: 40, dryRun, targets, counts: countActions(targets), errors: [] },
  };
}

describe("historyStats", () => {
  test("no history", () => {
    expect(historyStats([])).toEqual({ runs: 0, dryRuns: 0, totalCleaned: 0, averagePerRun: 0, mostCommonReason: null, reasons: {}, perRun: [] });
  });

  const history = [
    run(1, [target("rg", "terminated"), target("rg", "killed"), target("agent-shell", "terminated")]),
    run(2, []),
    run(3, [target("owner-dead", "terminated"), target("rg", "gone"), target("rg", "zombie"), target("rg", "failed")]),
    run(4, [target("escaped", "would-kill"), target("escaped", "would-kill")], true),
  ];
  const s = historyStats(history);

  test("cleaned counts terminated and killed only; dry runs are counted apart", () => {
    expect(s.runs).toBe(3);
    expect(s.dryRuns).toBe(1);
    expect(s.totalCleaned).toBe(4);
    expect(s.averagePerRun).toBe(1.33);
    expect(s.perRun.map((r) => r.cleaned)).toEqual([3, 0, 1, 0]);
    expect(s.perRun[2]!.counts).toEqual({ terminated: 1, killed: 0, gone: 1, failed: 1, zombies: 1 });
  });

  test("most common reason among what was cleaned (gone, failed, zombie and dry runs do not count)", () => {
    expect(s.reasons).toEqual({ rg: 2, "agent-shell": 1, "owner-dead": 1 });
    expect(s.mostCommonReason).toBe("rg");
  });

  test("a tie goes to the name that sorts first", () => {
    expect(historyStats([run(1, [target("rg-tag", "terminated"), target("agent-shell", "killed")])]).mostCommonReason).toBe("agent-shell");
  });

  test("the table: one row per run, a bar scaled to the largest, dry runs marked", () => {
    const text = renderStats(s, null);
    expect(text).toStartWith("runs: 3 (+1 dry)   total cleaned: 4   average per run: 1.33   most common reason: rg\n");
    const rows = text.trimEnd().split("\n").slice(3);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/session-start\s+300\s+40\s+3  ████████████████████$/);
    expect(rows[3]).toMatch(/session-start \(dry\)\s+300\s+40\s+-\s*$/);
  });
});
