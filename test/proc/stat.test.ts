import { describe, expect, test } from "bun:test";
import { bootId, environHas, isGone, loadBootId, parseStat, prefetchStats, readStat } from "../../src/proc/stat.ts";

const line = (comm: string, state = "S") =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000000 250 18446744073709551615`;

describe("parseStat", () => {
  test.each(["rg", "my prog", "a) b (c", "((", ")", "", "x) S 99 99 99"])("comm %p does not shift the fields", (comm) => {
    const stat = parseStat(line(comm))!;
    expect(stat).not.toBeNull();
    expect(stat.comm).toBe(comm);
    expect(stat.state).toBe("S");
    expect(stat.ppid).toBe(1);
    expect(stat.pgrp).toBe(4242);
    expect(stat.startTicks).toBe(123456);
    expect(stat.utimeTicks).toBe(7);
    expect(stat.rssPages).toBe(250);
  });

  test.each(["", "garbage", "4242 (rg", "4242 rg) S 1", "x (rg) S 1 2 3", "4242 (rg) S 1 2"])("rejects %p", (text) => {
    expect(parseStat(text)).toBeNull();
  });

  test("zombies and dead tasks count as gone", () => {
    expect(isGone(parseStat(line("z", "Z")))).toBe(true);
    expect(isGone(parseStat(line("x", "X")))).toBe(true);
    expect(isGone(parseStat(line("r", "R")))).toBe(false);
    expect(isGone(null)).toBe(true);
  });

  test("reads this process", () => {
    const stat = readStat(process.pid)!;
    expect(stat.pid).toBe(process.pid);
    expect(stat.ppid).toBe(process.ppid);
  });

  test("a missing process is null, not a crash", () => {
    expect(readStat(2 ** 22 + 1)).toBeNull();
  });
});

describe("prefetchStats (the parallel read ls uses)", () => {
  test("answers what readStat answers for the pids asked, null for a missing or unasked pid", async () => {
    const missing = 2 ** 22 + 1;
    const read = await prefetchStats([process.pid, process.ppid, missing, process.pid]);
    const { pid, comm, ppid, pgrp, startTicks } = readStat(process.pid)!;
    expect(read(process.pid)).toMatchObject({ pid, comm, ppid, pgrp, startTicks });
    expect(read(process.ppid)!.startTicks).toBe(readStat(process.ppid)!.startTicks);
    expect(read(missing)).toBeNull();
    expect(read(1)).toBeNull();
  });

  test("no pids: an empty reader", async () => {
    expect((await prefetchStats([]))(process.pid)).toBeNull();
  });

  test("loadBootId gives the boot id bootId() answers with", async () => {
    const id = await loadBootId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(bootId()).toBe(id);
  });
});

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
