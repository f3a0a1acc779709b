// `supervise reap`'s text: what was found, the targets as aligned columns under a header, the
// counts; command lines escaped; a target still alive when the budget ran out says so.

import { describe, expect, test } from "bun:test";
import { summarize } from "../../src/render/reap-report.ts";
import type { ReapReport, ReportTarget } from "../../src/reap/report.ts";

const target = (over: Partial<ReportTarget>): ReportTarget => ({
  pid: 4242, pgid: 4242, name: "rg", command: "rg TODO", argv: ["rg", "TODO"], reason: "rg-tag", ageSeconds: 400, ledgerId: null, action: "terminated", signal: "TERM", durationMs: 12, ...over,
});

const report = (targets: ReportTarget[], dryRun = false): ReapReport => ({
  scanned: 120, durationMs: 31, dryRun, targets, errors: [], counts: { terminated: 1, killed: 1, gone: 0, failed: 0, zombies: 0 },
});

describe("summarize", () => {
  test("a header and aligned columns; the budget's survivors marked; control bytes escaped", () => {
    const text = summarize(report([target({}), target({ pid: 17, name: "node", command: "node server.js\x1b[2J", reason: "session-gone", ageSeconds: 7200, action: "killed", signal: "KILL", pending: true })]));
    expect(text).toBe(
      [
        "reaped 2 of 2 targets (120 processes scanned in 31 ms)",
        " PID  ACTION                   SIGNAL  REASON          AGE  COMMAND",
        "4242  terminated               TERM    rg-tag        6m40s  rg TODO",
        "  17  killed (budget ran out)  KILL    session-gone     2h  node server.js\\x1b[2J",
        "terminated 1, killed 1, already gone 0, failed 0, zombies 0",
        "",
      ].join("\n"),
    );
  });

  test("a dry run and an empty sweep", () => {
    expect(summarize(report([target({ action: "would-kill", signal: null })], true)).split("\n").slice(0, 3)).toEqual([
      "dry run: 1 target would be ended (120 processes scanned in 31 ms)",
      " PID  ACTION      SIGNAL  REASON    AGE  COMMAND",
      "4242  would-kill  -       rg-tag  6m40s  rg TODO",
    ]);
    expect(summarize(report([], true))).toBe("dry run: 0 targets would be ended (120 processes scanned in 31 ms)\n");
  });
});
