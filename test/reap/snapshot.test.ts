// The snapshot's memo (top's repeated looks): what does not change while a process lives is read
// once, and read again once the process has exec'd another program.

import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLOCK_TICKS_PER_SECOND, uptimeTicks } from "../../src/proc/boot.ts";
import { takeSnapshot, type SnapshotMemo } from "../../src/reap/snapshot.ts";
import { makeSandbox, startTicks, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

test("a memo keeps a process's command line and environment, and forgets them when it execs another program", async () => {
  sb = makeSandbox();
  const go = join(sb.dir, "go");
  const program = `import os, time\nwhile not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)\nos.execvpe("sleep", ["sleep", "100"], {"MARK": "after"})`;
  const proc = Bun.spawn(["python3", "-c", program], { env: { ...sb.env, MARK: "before" }, cwd: sb.dir, stdio: ["ignore", "ignore", "ignore"] });
  sb.track(proc.pid);
  // The memo holds nothing of a process younger than a second: it may not have exec'd yet.
  await waitFor(() => uptimeTicks() - (startTicks(proc.pid) ?? Infinity) > 1.2 * CLOCK_TICKS_PER_SECOND, 10_000, "a second of age");
  const memo: SnapshotMemo = new Map();
  const needs = { ownUid: process.getuid!(), names: new Set<string>(), cookiesSinceTicks: null, everyProcessOfUser: true, memo };
  const before = (await takeSnapshot(needs, [proc.pid])).procs[0]!;
  expect([before.argv?.[0]?.endsWith("python3"), before.environ?.includes("MARK=before")]).toEqual([true, true]);
  writeFileSync(go, "");
  await waitFor(() => readFileSync(`/proc/${proc.pid}/comm`, "utf8").trim() === "sleep", 10_000, "the exec");
  const after = (await takeSnapshot(needs, [proc.pid])).procs[0]!;
  expect([after.argv, after.environ]).toEqual([["sleep", "100"], "MARK=after\0"]);
});
