// Between full looks, top reads only the rows it shows: their CPU, RSS and state; a process
// that is gone or whose pid names another leaves.

import { describe, expect, test } from "bun:test";
import type { ShownProcess } from "../../src/ownership/owned-now.ts";
import type { ProcStat } from "../../src/proc/stat.ts";
import { refreshRows } from "../../src/top/refresh.ts";

const stat = (pid: number, over: Partial<ProcStat> = {}): ProcStat => ({ pid, comm: "x", state: "S", ppid: 1, pgrp: pid, session: pid, ttyNr: 0, flags: 0, utimeTicks: 0, stimeTicks: 0, cutimeTicks: 0, cstimeTicks: 0, startTicks: 1000, rssPages: 10, ...over });
const row = (pid: number) => ({ pid, cpuSeconds: 0, ageSeconds: 0, rssBytes: 0, state: "S", command: `p${pid}` }) as unknown as ShownProcess;

describe("refreshRows", () => {
  test("the same process: its CPU, RSS, age and state now; gone, a zombie, another process under the pid, or one the full look did not see: left out", () => {
    const rows = [row(1), row(2), row(3), row(4), row(5)];
    // As the full look's snapshot read them; pid 5 was not in it.
    const identities = new Map([1, 2, 3, 4].map((pid) => [pid, stat(pid).startTicks]));
    const now = new Map([
      [1, stat(1, { utimeTicks: 150, stimeTicks: 50, rssPages: 256, state: "R" })],
      [3, stat(3, { startTicks: 5000 })],
      [4, stat(4, { state: "Z" })],
      [5, stat(5)],
    ]);
    const fresh = refreshRows(rows, identities, 3000, (pid) => now.get(pid) ?? null);
    expect(fresh.map((r) => [r.pid, r.cpuSeconds, r.rssBytes, r.ageSeconds, r.state])).toEqual([[1, 2, 1048576, 20, "R"]]);
  });
});
