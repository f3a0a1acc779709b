// The bars of `supervise stats`, in eighths of a cell, scaled to the width left.

import { describe, expect, test } from "bun:test";
import { bar, renderStats } from "../../src/render/stats.ts";
import type { HistoryStats } from "../../src/reap/stats.ts";

describe("bar", () => {
  const cases: Array<[number, number, number, string]> = [
    [0, 10, 10, ""],
    [10, 10, 10, "██████████"],
    [5, 10, 10, "█████"],
    [1, 80, 10, "▏"],
    [1, 16, 1, "▏"],
    [3, 4, 1, "▊"],
    [-1, 10, 10, ""],
    [5, 0, 10, ""],
  ];
  for (const [value, max, width, expected] of cases) test(`${value}/${max} in ${width}`, () => expect(bar(value, max, width)).toBe(expected));
});

describe("renderStats", () => {
  const counts = { terminated: 0, killed: 0, gone: 0, failed: 0, zombies: 0 };
  const run = (id: number, cleaned: number) => ({ id, at: "2026-12-03T10:00:00.000Z", trigger: "session-start", session: null, dryRun: false, scanned: 3500, durationMs: 190, cleaned, counts: { ...counts, terminated: cleaned }, errors: 0 });
  const stats: HistoryStats = { runs: 3, dryRuns: 0, totalCleaned: 13, averagePerRun: 4.3, mostCommonReason: "rg-tag", reasons: { "rg-tag": 13 }, perRun: [run(1, 10), run(2, 3), run(3, 0)] };

  test("at any width the largest bar is whole (never cut with …) and no line is wider than the terminal", () => {
    for (const width of [40, 60, 72, 80, 120]) {
      const lines = renderStats(stats, width).trimEnd().split("\n");
      expect(lines.slice(2).every((line) => line.length <= width), `width ${width}`).toBe(true);
      expect(lines.some((line) => line.includes("…")), `width ${width}`).toBe(false);
      const biggest = lines.find((line) => /\b10 +█/.test(line));
      if (width >= 60) expect(biggest, `width ${width}`).toBeDefined();
    }
    // Without a terminal: 20 cells for the largest.
    expect(renderStats(stats, null)).toContain(`10  ${"█".repeat(20)}`);
  });
});
