// /proc/locks: FLOCK holders by device and inode, checked against a real flock(1).

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockKey, parseLocks, readFlockHolders } from "../../src/proc/locks.ts";

describe("parseLocks", () => {
  test("FLOCK holders only; waiters, POSIX locks and junk are left out", () => {
    const text = [
      "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF",
      "1: -> FLOCK  ADVISORY  WRITE 1240 08:01:5678 0 EOF",
      "2: POSIX  ADVISORY  WRITE 99 08:01:42 0 EOF",
      "3: FLOCK  ADVISORY  WRITE 77 fd:00:5678 0 EOF",
      "4: FLOCK  ADVISORY  READ 0 08:01:9 0 EOF",
      "5: FLOCK  ADVISORY  WRITE abc 08:01:10 0 EOF",
      "6: FLOCK  ADVISORY  WRITE 12 not-a-file 0 EOF",
      "",
      "garbage",
    ].join("\n");
    expect([...parseLocks(text)]).toEqual([
      ["08:01:5678", [1234]],
      ["fd:00:5678", [77]],
    ]);
  });

  test("device numbers as the kernel prints them", () => {
    expect(lockKey((8 << 8) | 1, 5678)).toBe("08:01:5678");
    expect(lockKey((0xfd << 8) | 0, 12)).toBe("fd:00:12");
    // minor numbers above 255 live in the high bits of st_dev
    expect(lockKey((259 << 8) | 0x05 | (0x1 << 20), 3)).toBe("103:105:3");
  });
});

describe("readFlockHolders against flock(1)", () => {
  let dir: string | undefined;
  let holder: Bun.Subprocess | undefined;
  afterEach(async () => {
    holder?.kill("SIGKILL");
    await holder?.exited;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("names the pid that holds the lock, under the file's key", async () => {
    dir = mkdtempSync(join(tmpdir(), "supervise-locks-"));
    const file = join(dir, "thread.lock");
    writeFileSync(file, "");
    holder = Bun.spawn(["flock", "--exclusive", file, "sleep", "30"], { stdio: ["ignore", "ignore", "ignore"] });
    const { dev, ino } = statSync(file);
    const deadline = Date.now() + 10_000;
    let pids: readonly number[] | undefined;
    while (!(pids = readFlockHolders()?.get(lockKey(dev, ino)))?.length && Date.now() < deadline) await Bun.sleep(20);
    expect(pids).toContain(holder.pid);
  });
});
