import { describe, expect, test } from "bun:test";
import { parseSignal, signalName, tryParseSignal } from "../../src/proc/signals.ts";

describe("tryParseSignal", () => {
  test.each([
    ["TERM", "TERM", 15],
    ["SIGTERM", "TERM", 15],
    ["term", "TERM", 15],
    ["sigkill", "KILL", 9],
    ["9", "KILL", 9],
    ["INT", "INT", 2],
    ["HUP", "HUP", 1],
    ["USR1", "USR1", 10],
    ["2", "INT", 2],
    // Signal 0 sends nothing: GNU's `timeout -s0 -k1` ends the command only by the KILL after the grace.
    ["0", "0", 0],
  ] as const)("%p -> %p (%p)", (text, name, number) => {
    expect(tryParseSignal(text)).toEqual({ name, number });
  });

  test.each(["", "00x", "SIG", "SIGFOO", "KILLX", "-9", "9.0", " 9", "999", "TERM ", "toString", "__proto__", "constructor"])(
    "rejects %p",
    (text) => {
      expect(tryParseSignal(text)).toBeNull();
    },
  );

  test("a usage error names the flag", () => {
    expect(() => parseSignal("BOGUS", "--signal")).toThrow(/--signal.*"BOGUS"/);
  });

  test("names round-trip", () => {
    expect(signalName(15)).toBe("TERM");
    expect(signalName(9)).toBe("KILL");
  });
});

describe("the signal table", () => {
  test("agrees with node:os on this platform, name for name", async () => {
    const { constants } = await import("node:os");
    const { SIGNALS } = await import("../../src/proc/signals.ts");
    for (const [name, number] of Object.entries(SIGNALS)) {
      if (name in constants.signals) expect([name, number as number]).toEqual([name, (constants.signals as Record<string, number>)[name]!]);
    }
    for (const name of ["SIGHUP", "SIGINT", "SIGQUIT", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGCONT", "SIGSTOP"]) expect(SIGNALS).toHaveProperty(name);
  });
});
