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

test.each([
  ["another program", `os.execvpe("sleep", ["sleep", "100"], {"MARK": "after"})`, ["sleep", "100"]],
  ["the same program with new words (its comm unchanged)", `os.execvpe("python3", ["python3", "-c", "import time; time.sleep(100)"], {"MARK": "after", "PATH": os.environ["PATH"]})`, null],
])("a memo keeps a process's command line and environment, and forgets them when it execs %s", async (_name, exec, argvAfter) => {
  sb = makeSandbox();
  const go = join(sb.dir, "go");
  const program = `import os, time\nwhile not os.path.exists(${JSON.stringify(go)}): time.sleep(0.02)\n${exec}`;
  const proc = Bun.spawn(["python3", "-c", program], { env: { ...sb.env, MARK: "before" }, cwd: sb.dir, stdio: ["ignore", "ignore", "ignore"] });
  sb.track(proc.pid);
  // The memo holds nothing of a process younger than a second: it may not have exec'd yet.
  await waitFor(() => uptimeTicks() - (startTicks(proc.pid) ?? Infinity) > 1.2 * CLOCK_TICKS_PER_SECOND, 10_000, "a second of age");
  const memo: SnapshotMemo = new Map();
  const needs = { ownUid: process.getuid!(), names: new Set<string>(), cookiesSinceTicks: null, everyProcessOfUser: true, memo };
  const before = (await takeSnapshot(needs, [proc.pid])).procs[0]!;
  expect([before.argv?.[0]?.endsWith("python3"), before.environ?.includes("MARK=before")]).toEqual([true, true]);
  writeFileSync(go, "");
  await waitFor(() => readFileSync(`/proc/${proc.pid}/environ`, "utf8").includes("MARK=after"), 10_000, "the exec");
  const after = (await takeSnapshot(needs, [proc.pid])).procs[0]!;
  if (argvAfter) expect(after.argv).toEqual(argvAfter);
  else expect(after.argv?.slice(1)).toEqual(["-c", "import time; time.sleep(100)"]);
  expect(after.environ?.startsWith("MARK=after\0")).toBe(true);
});
