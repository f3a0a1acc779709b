import { describe, expect, test } from "bun:test";
import { environHas, readNow } from "../../src/proc/facts.ts";

describe("environHas", () => {
  const env = ["A=1", "SUPERVISE_ID=abc", "SUPERVISE_ID_OLD=xyz", "B=SUPERVISE_ID=zzz"].join("\0") + "\0";
  test.each([
    ["SUPERVISE_ID", "abc", true],
    ["SUPERVISE_ID", "ab", false],
    ["SUPERVISE_ID", "abcd", false],
    ["SUPERVISE_ID", "xyz", false],
    ["SUPERVISE_ID", "zzz", false],
    ["A", "1", true],
  ] as const)("%s=%s -> %p", (name, value, expected) => {
    expect(environHas(env, name, value)).toBe(expected);
  });
  test("first and last entries without a trailing NUL", () => {
    expect(environHas("SUPERVISE_ID=abc", "SUPERVISE_ID", "abc")).toBe(true);
  });
});

describe("readNow.environ and readNow.cmdline", () => {
  test("this process's own, and null for a pid that cannot exist", () => {
    expect(readNow.environ(process.pid)).toContain("PATH=");
    expect(readNow.cmdline(process.pid)).toContain("test");
    expect(readNow.environ(2 ** 22 + 1)).toBeNull();
    expect(readNow.cmdline(2 ** 22 + 1)).toBeNull();
  });
});
