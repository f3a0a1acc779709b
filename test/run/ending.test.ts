// How a run ends, as the table in src/run/ending.ts says: the exit status, and what the
// wrapper tells the ledger (here recorded on a row nobody else wrote: src/entry/end.ts).

import { describe, expect, test } from "bun:test";
import { decideEnd } from "../../src/entry/end.ts";
import { describeEnd, EXIT_DEADLINE } from "../../src/run/ending.ts";
import type { TerminateOutcome } from "../../src/stop/engine.ts";

const exited = (code: number) => ({ exitCode: code, signalCode: null });
const signalled = (name: NodeJS.Signals) => ({ exitCode: null, signalCode: name });

describe("describeEnd", () => {
  test.each([
    ["exited by itself", null, "gone", exited(3), 3, false, { state: "exited", reason: null, exit_code: 3, end_signal: null }, 3],
    ["died of a signal nobody here sent", null, "gone", signalled("SIGSEGV"), 139, false, { state: "exited", reason: null, exit_code: null, end_signal: "SEGV" }, 139],
    ["exited, leaving processes that were ended", { reason: "leftovers" }, "terminated", exited(0), 0, false, { state: "exited", reason: "leftovers" }, 0],
    ["exited, nothing left behind", { reason: "leftovers" }, "gone", exited(0), 0, false, { state: "exited", reason: null }, 0],
    ["the deadline", { reason: "deadline" }, "terminated", signalled("SIGTERM"), 143, false, { state: "killed", reason: "deadline", end_signal: "TERM" }, EXIT_DEADLINE],
    ["the deadline, --preserve-status", { reason: "deadline" }, "killed", signalled("SIGKILL"), 137, true, { state: "killed", reason: "deadline", end_signal: "KILL" }, 137],
    ["SIGINT to the wrapper", { reason: "signal", received: 2 }, "terminated", signalled("SIGINT"), 130, false, { state: "killed", reason: "signal" }, 130],
    ["SIGTERM to the wrapper, the command needed SIGKILL", { reason: "signal", received: 15 }, "killed", signalled("SIGKILL"), 137, false, { state: "killed", reason: "signal", end_signal: "KILL" }, 143],
    ["the wrapper's parent died", { reason: "parent-died" }, "terminated", signalled("SIGTERM"), 143, false, { state: "killed", reason: "parent-died" }, 143],
    ["a reason the wrapper never sets itself is none of its stops", { reason: "manual" }, "terminated", exited(0), 0, false, { state: "exited", reason: null }, 0],
  ] as const)("%s", (_, ending, outcome, child, status, preserve, record, exitStatus) => {
    const end = describeEnd(ending, outcome as TerminateOutcome, child, status, preserve);
    expect(end.exitStatus).toBe(exitStatus);
    expect(end.record).toMatchObject({ by: "wrapper", exitStatus });
    const recorded = decideEnd({ ended_at: null, stop_reason: null, exit_status: null }, end.record).record;
    expect(recorded).toMatchObject({ ...record, exit_status: exitStatus });
  });
});
