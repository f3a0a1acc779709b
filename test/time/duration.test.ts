import { describe, expect, test } from "bun:test";
import { formatDuration, MAX_DURATION_MS, parseDuration, tryParseDuration } from "../../src/time/duration.ts";
import { UsageError } from "../../src/errors.ts";

describe("tryParseDuration", () => {
  test.each([
    ["90", 90_000],
    ["500ms", 500],
    ["90s", 90_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    [".1", 100],
    ["0.5", 500],
    ["2.5m", 150_000],
    ["5.", 5_000],
    ["1.5ms", 2], // rounded up, never down to 0
    ["0.0001", 1], // a tiny positive duration must not become "no limit"
    ["007", 7_000],
    ["0", Infinity],
    ["0s", Infinity],
    ["0.0", Infinity],
    ["none", Infinity],
    [90, 90_000],
    [0.25, 250],
    [0, Infinity],
  ] as const)("%p -> %p ms", (input, expected) => {
    expect(tryParseDuration(input)).toBe(expected);
  });

  test.each([
    "",
    " ",
    " 5",
    "5 ",
    "-5",
    "+5",
    "5x",
    "5mm",
    "5M",
    "5S",
    "1h30m",
    "1e",
    "e3",
    "1e3.5",
    "1e+",
    "0x10",
    "Infinity",
    "NaN",
    "inf",
    ".",
    "..5",
    "1..2",
    "1.2.3",
    "٥", // Arabic-Indic digit five
    "５", // full-width five
    "5\n",
    "5\0",
    "NONE",
    "none5",
    "-1e3",
  ])("rejects %p", (input) => {
    expect(tryParseDuration(input)).toBeNull();
  });

  test.each([-1, NaN, Infinity, -0.5])("rejects the number %p", (input) => {
    expect(tryParseDuration(input)).toBeNull();
  });

  // GNU timeout's own parameter tests (coreutils tests/timeout/timeout-parameters.sh, timeout-large-parameters.sh).
  test("an exponent, as GNU's strtold reads one: 1e3 is 1000 s, 2.5E-1 is 250 ms", () => {
    expect([tryParseDuration("1e3"), tryParseDuration("2.5E-1"), tryParseDuration("1e3ms"), tryParseDuration("0e5")]).toEqual([1_000_000, 250, 1_000, Infinity]);
  });

  test("a positive duration too small to count rounds up to 1 ms (GNU: 1 ns), never to 0 (no limit)", () => {
    expect([tryParseDuration("1e-10000"), tryParseDuration("0.0000001"), tryParseDuration("0.0001ms")]).toEqual([1, 1, 1]);
  });

  test("a duration too large for any timer is accepted, as no limit in practice", () => {
    for (const huge of ["4294967296", "9223372036854775808d", "2.34e+5d", "1.18973149535723176502e+4932", "99999999999999999999999d", "1".repeat(400)]) {
      expect([huge, tryParseDuration(huge)]).toEqual([huge, MAX_DURATION_MS]);
    }
    expect(tryParseDuration(`${MAX_DURATION_MS}ms`)).toBe(MAX_DURATION_MS);
    expect(tryParseDuration(1e300)).toBe(MAX_DURATION_MS);
  });
});

describe("parseDuration", () => {
  test("names the flag and the value in a usage error (exit 2)", () => {
    let error: unknown;
    try {
      parseDuration("5x", "--deadline");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain("--deadline");
    expect((error as Error).message).toContain('"5x"');
  });
});

describe("formatDuration", () => {
  test.each([
    [850, "850ms"],
    [12_000, "12s"],
    [300_000, "5m"],
    [330_000, "5m30s"],
    [5_400_000, "1h30m"],
    [7_200_000, "2h"],
    [97_200_000, "1d3h"],
    [Infinity, "none"],
  ] as const)("%p -> %p", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
