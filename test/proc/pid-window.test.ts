// The pid window: the processes allocated since a wrapper started, without listing /proc.
// Thread ids share the pid space and /proc answers for them; they are not processes.

import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { forkCount, pidsAllocatedSince } from "../../src/proc/pid-window.ts";
import { linesOf } from "../helpers/cli.ts";

const lastPid = () => Number(readFileSync("/proc/sys/kernel/ns_last_pid", "utf8"));

/** Starts threads, prints its pid and every thread id, and lives until its stdin closes. */
const THREADED = `
import os, sys, threading
ready = threading.Event()
for _ in range(4):
    threading.Thread(target=ready.wait, daemon=True).start()
print(os.getpid(), *sorted(int(t) for t in os.listdir("/proc/self/task") if int(t) != os.getpid()), flush=True)
sys.stdin.read()
`;

let started: Bun.Subprocess<"pipe", "pipe", "pipe"> | undefined;
afterEach(() => {
  started?.kill("SIGKILL");
  started = undefined;
});

describe("pidsAllocatedSince", () => {
  test("lists a process started since, and none of its thread ids", async () => {
    const since = lastPid();
    const forks = forkCount()!;
    const proc = Bun.spawn(["python3", "-c", THREADED], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    started = proc;
    const [pid, ...threads] = (await linesOf(proc).nextLine()).split(" ").map(Number);
    expect(threads).toHaveLength(4);
    // Every thread id is in the range the window reads, and /proc answers for it.
    for (const tid of threads) {
      expect(tid).toBeGreaterThan(since);
      expect(readFileSync(`/proc/${tid}/stat`, "utf8")).toStartWith(`${tid} (`);
    }

    const pids = pidsAllocatedSince(since, forks, Number.MAX_SAFE_INTEGER);
    expect(pids).not.toBeNull();
    expect(pids).toContain(pid!);
    expect(pids!.filter((p) => threads.includes(p))).toEqual([]);
  });

  test("an id whose process has already exited is not listed", async () => {
    const since = lastPid();
    const forks = forkCount()!;
    const exited = Bun.spawn(["true"]);
    await exited.exited;
    const pids = pidsAllocatedSince(since, forks, Number.MAX_SAFE_INTEGER)!;
    expect(pids).not.toContain(exited.pid);
  });

  test("too many forks since, or a wrap: null (list /proc instead)", () => {
    const forks = forkCount()!;
    expect(pidsAllocatedSince(lastPid(), forks - 10, 5)).toBeNull();
    expect(pidsAllocatedSince(lastPid() + 1_000_000, forks)).toBeNull();
  });
});
