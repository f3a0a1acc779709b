// The exit status an ended entry stands for, as its wrapper exited (or would have).

import { describe, expect, test } from "bun:test";
import type { EntryState } from "../../src/ledger/entries.ts";
import { exitStatusOf, STATUS_UNKNOWN } from "../../src/entry/status.ts";

describe("exitStatusOf, the wrapper's status recorded", () => {
  test("is returned as it is, whatever the command's end says", () => {
    // A TERM-ignoring command killed after the wrapper got TERM: the command died of KILL.
    expect(exitStatusOf({ exit_status: 143, exit_code: null, end_signal: "KILL", reason: "signal" }, "killed")).toBe(143);
    expect(exitStatusOf({ exit_status: 0, exit_code: null, end_signal: "TERM", reason: "deadline" }, "killed")).toBe(0);
  });
});

describe("exitStatusOf, derived where the wrapper died before recording", () => {
  const cases: Array<[string, EntryState, number | null, string | null, string | null, number]> = [
    ["exited 0", "exited", 0, null, null, 0],
    ["exited 3", "exited", 3, null, null, 3],
    ["exited, left leftovers", "exited", 0, null, "leftovers", 0],
    ["died of a signal by itself", "exited", null, "SEGV", null, 139],
    ["deadline (TERM)", "killed", null, "TERM", "deadline", 124],
    ["deadline, needed KILL", "killed", null, "KILL", "deadline", 124],
    ["manual kill", "killed", null, "TERM", "manual", 143],
    ["manual kill, needed KILL", "killed", null, "KILL", "manual", 137],
    ["signal forwarded, command exited 130 on INT", "killed", 130, null, "signal", 130],
    ["parent died", "killed", null, "TERM", "parent-died", 143],
    ["reaped owner-dead", "killed", null, "TERM", "owner-dead", 143],
    ["killed, no signal recorded", "killed", null, null, "owner-dead", STATUS_UNKNOWN],
    ["lost", "lost", null, null, null, STATUS_UNKNOWN],
    ["unknown signal name", "exited", null, "NOPE", null, 0],
  ];
  for (const [name, state, exit_code, end_signal, reason, expected] of cases) {
    test(name, () => expect(exitStatusOf({ exit_status: null, exit_code, end_signal, reason: reason as never }, state)).toBe(expected));
  }
});
