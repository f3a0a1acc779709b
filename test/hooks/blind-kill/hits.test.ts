// Measuring what blind kills would hit (read-only: pgrep and /proc, nothing is signalled): a
// command of thousands of kills is measured for its first distinct ones only, the rest said
// as unknown, so the hook answers within its budget (review of issue 24: 3,000 pkills took 42 s).

import { expect, test } from "bun:test";
import { measure } from "../../../src/hooks/blind-kill/hits.ts";
import { findBlindKills } from "../../../src/hooks/blind-kill/parse.ts";

const targetsOf = (command: string) => findBlindKills(command).flatMap((kill) => kill.targets);

test("3,000 distinct pkills: 16 measured, the other 2,984 said as unknown in one phrase", () => {
  const command = Array.from({ length: 3000 }, (_, i) => `pkill -x no-such-program-${i}`).join("; ");
  expect(measure(targetsOf(command), new Set())).toEqual({ pids: [], unseenUids: [], unknown: ["what 2984 more of its kills select (more than 16 in one command)"] });
});

test("the same kill written 3,000 times is one measurement, and one unknown is said once", () => {
  const command = Array.from({ length: 3000 }, () => "pkill -x no-such-program; kill -9 -1").join("; ");
  const measured = measure(targetsOf(command), new Set());
  expect(measured).toEqual({ pids: [], unseenUids: [], unknown: ["which processes `kill -1` ends: every process this user may signal"] });
});

test("what pgrep selects is what the measurement holds: this test's own runner, found by its exact name", () => {
  const name = require("node:fs").readFileSync(`/proc/${process.pid}/comm`, "utf8").trim();
  expect(measure(targetsOf(`pkill -x ${name}`), new Set()).pids).toContain(process.pid);
  expect(measure(targetsOf(`pkill -x ${name}`), new Set([process.pid])).pids).not.toContain(process.pid);
});
