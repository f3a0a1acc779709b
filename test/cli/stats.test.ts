// `supervise stats`: the reap history through the real CLI, JSON as the schema says.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { appendRun } from "../../src/reap/history.ts";
import { countActions, type ReportTarget } from "../../src/reap/report.ts";
import { runCli } from "../helpers/cli.ts";
import { parseJson, StatsSchema } from "../helpers/contract.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

function seedHistory(runs: ReportTarget["action"][][]): void {
  const db = new Database(join(sb.home, "ledger.db"));
  runs.forEach((actions, i) => {
    const targets = actions.map((action, k) => ({ pid: 100 + k, pgid: 100 + k, name: "rg", command: "rg x", reason: k % 2 ? "agent-shell" : "rg", ageSeconds: 600, ledgerId: null, action, signal: "TERM", durationMs: 3 }) as ReportTarget);
    appendRun(db, Date.parse("2026-03-01T10:00:00Z") + i * 3_600_000, "session-start", `s-${i}`, { scanned: 200 + i, durationMs: 30, dryRun: false, targets, counts: countActions(targets), errors: [] }, 30);
  });
  db.close();
}

describe("supervise stats", () => {
  test("no history: a hint, and zeros in JSON", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["stats"])).toEqual({ exitCode: 0, stderr: "", stdout: "no reap runs recorded yet (supervise reap, or the SessionStart hook, records them)\n" });
    const json = parseJson(StatsSchema, (await runCli(sb, ["stats", "--json"])).stdout);
    expect(json).toMatchObject({ runs: 0, totalCleaned: 0, perRun: [] });
  });

  test("runs, totals, average, most common reason, one row per run with a bar; dry runs from the real CLI are marked", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    seedHistory([["terminated", "killed", "terminated"], [], ["terminated", "gone"]]);
    // A real (dry) sweep adds its own row; dry runs never sweep anything.
    expect((await runCli(sb, ["reap", "--dry-run"])).exitCode).toBe(0);

    const json = parseJson(StatsSchema, (await runCli(sb, ["stats", "--json"])).stdout);
    expect(json).toMatchObject({ runs: 3, dryRuns: 1, totalCleaned: 4, averagePerRun: 1.33, mostCommonReason: "rg", reasons: { rg: 3, "agent-shell": 1 } });
    expect(json.perRun.map((r) => [r.cleaned, r.dryRun, r.trigger])).toEqual([
      [3, false, "session-start"],
      [0, false, "session-start"],
      [1, false, "session-start"],
      [0, true, "manual"],
    ]);

    const r = await runCli(sb, ["stats"], { env: { COLUMNS: "100" } });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("runs: 3 (+1 dry)   total cleaned: 4   average per run: 1.33   most common reason: rg");
    expect(lines[2]).toMatch(/^WHEN\s+TRIGGER\s+SCANNED\s+MS\s+CLEANED$/);
    expect(lines[3]).toMatch(/^2026-03-01 10:00:00\s+session-start\s+200\s+30\s+3  █{20}$/);
    expect(lines[4]).toMatch(/\s0\s*$/);
    expect(lines[5]).toMatch(/\s1  ██████▋$/);
    expect(lines[6]).toMatch(/manual \(dry\).*-\s*$/);
  });
});
