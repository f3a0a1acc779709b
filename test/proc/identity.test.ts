import { describe, expect, test } from "bun:test";
import { currentIfSame, identityOf, isSameLive, sameBoot, type ProcessIdentity } from "../../src/proc/identity.ts";
import { bootId, UNKNOWN_BOOT } from "../../src/proc/boot.ts";
import { type ProcStat } from "../../src/proc/stat.ts";
import { readNow } from "../../src/proc/facts.ts";

const stat = (state: string, startTicks: number): ProcStat => ({
  pid: 4242, comm: "rg", state, ppid: 1, pgrp: 4242, session: 4242, ttyNr: 0, flags: 0, utimeTicks: 0, stimeTicks: 0, cutimeTicks: 0, cstimeTicks: 0, startTicks, rssPages: 1,
});

describe("isSameLive: boot id, start time and a live state must all match", () => {
  const here = (): ProcessIdentity => ({ bootId: bootId(), pid: 4242, startTicks: 123456 });
  test.each([
    ["the recorded process, sleeping", () => here(), stat("S", 123456), true],
    ["the recorded process, running", () => here(), stat("R", 123456), true],
    ["stopped still counts as alive", () => here(), stat("T", 123456), true],
    ["a zombie", () => here(), stat("Z", 123456), false],
    ["a dead task", () => here(), stat("X", 123456), false],
    ["the pid reused (another start time)", () => here(), stat("S", 123457), false],
    ["unreadable", () => here(), null, false],
    ["recorded in another boot", () => ({ ...here(), bootId: "00000000-0000-0000-0000-000000000000" }), stat("S", 123456), false],
    ["a start time of 0 against a real one", () => ({ ...here(), startTicks: 0 }), stat("S", 123456), false],
  ] as const)("%s", (_name, identity, s, expected) => {
    expect(isSameLive(identity(), s)).toBe(expected);
  });
});

describe("sameBoot: an unreadable boot id never matches a recorded one", () => {
  test.each([
    ["equal ids", "b-1", "b-1", true],
    ["other ids", "b-1", "b-2", false],
    ["both unreadable", UNKNOWN_BOOT, UNKNOWN_BOOT, false],
    ["recorded, now unreadable", "b-1", UNKNOWN_BOOT, false],
    ["recorded unreadable, now readable", UNKNOWN_BOOT, "b-1", false],
    ["empty, as if the file had nothing", "", "", false],
  ] as const)("%s", (_name, recorded, current, expected) => expect(sameBoot(recorded, current)).toBe(expected));
});

describe("currentIfSame against real processes", () => {
  test("this process is itself; the same pid with another start time is not", () => {
    const me = identityOf(readNow.stat(process.pid)!);
    expect(currentIfSame(me)?.pid).toBe(process.pid);
    expect(currentIfSame({ ...me, startTicks: me.startTicks + 1 })).toBeNull();
    expect(currentIfSame({ ...me, bootId: "other" })).toBeNull();
  });

  test("an exited child is gone, reaped or not", async () => {
    const child = Bun.spawn(["true"]);
    const id: ProcessIdentity = { bootId: bootId(), pid: child.pid, startTicks: readNow.stat(child.pid)?.startTicks ?? -1 };
    await child.exited;
    expect(currentIfSame(id)).toBeNull();
  });

  test("a stat reader is used instead of /proc when given", () => {
    const id: ProcessIdentity = { bootId: bootId(), pid: 4242, startTicks: 5 };
    expect(currentIfSame(id, () => stat("S", 5))?.startTicks).toBe(5);
    expect(currentIfSame(id, () => stat("Z", 5))).toBeNull();
  });
});
