// A `ps` row's activity fields from one look at a real process: its lastOutputAt is its stdout
// file's time, whatever its stderr is (a terminal or a pipe says nothing about the file).

import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processActivity } from "../../src/activity/process-activity.ts";

let dir: string | undefined;
let child: ReturnType<typeof Bun.spawn> | undefined;
afterEach(() => {
  child?.kill(9);
  if (dir) rmSync(dir, { recursive: true, force: true });
  child = dir = undefined;
});

test("stdout to a file, stderr to a pipe: lastOutputAt is the file's mtime", async () => {
  dir = mkdtempSync(join(tmpdir(), "process-activity-"));
  const out = join(dir, "out.log");
  child = Bun.spawn(["sh", "-c", "echo started; exec sleep 100"], { stdout: Bun.file(out), stderr: "pipe", stdin: "ignore" });
  const deadline = Date.now() + 10_000;
  while (statSync(out).size === 0 && Date.now() < deadline) await Bun.sleep(20);
  const row = processActivity({ pid: child.pid, cpuSeconds: 0, ageSeconds: 1 }, null, []);
  expect(row).toEqual({ activity: "unknown", activitySince: null, cpuPercent: 0, ports: [], lastOutputAt: new Date(Math.floor(statSync(out).mtimeMs)).toISOString() });
});
