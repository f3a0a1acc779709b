import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { isGone, parseStat, type ProcStat } from "../../src/proc/stat.ts";
import { prefetchStats, readInBatch, readNow } from "../../src/proc/facts.ts";

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

  // The split(" ") parser this one replaced, as the reference: same answer for every line.
  function splitParse(text: string): ProcStat | null {
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    if (open <= 0 || close < open) return null;
    const pid = Number(text.slice(0, open));
    const f = text.slice(close + 2).split(" ");
    if (!Number.isInteger(pid) || f.length < 22) return null;
    const num = (i: number) => Number(f[i]);
    const stat: ProcStat = { pid, comm: text.slice(open + 1, close), state: f[0]!, ppid: num(1), pgrp: num(2), session: num(3), ttyNr: num(4), flags: num(6), utimeTicks: num(11), stimeTicks: num(12), cutimeTicks: num(13), cstimeTicks: num(14), startTicks: num(19), rssPages: num(21) };
    if (f.length > 25) stat.startStack = num(25);
    for (const key of ["ppid", "pgrp", "session", "startTicks"] as const) if (!Number.isFinite(stat[key])) return null;
    return stat;
  }

  test("agrees with a split() parser on every process here and on 5,000 mangled lines", () => {
    const lines: string[] = [];
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        lines.push(readFileSync(`/proc/${name}/stat`, "utf8"));
      } catch {
        // Gone since the listing.
      }
    }
    // At least this process; inside a PID namespace there may be only a handful, so the fixtures join in.
    expect(lines.length).toBeGreaterThan(0);
    for (const comm of ["rg", "my prog", "a) b (c", "(("]) lines.push(line(comm), line(comm, "Z"));
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pieces = [" ", "  ", ")", "(", "\n", "", "x", "-1", "99999999999999999999", "1e3", "\u200b"];
    for (let i = 0; i < 5_000; i++) {
      const base = lines[rand(lines.length)]!;
      let text = base;
      for (let k = 0; k < 1 + rand(3); k++) {
        const at = rand(text.length + 1);
        const cut = rand(4);
        text = text.slice(0, at) + pieces[rand(pieces.length)] + text.slice(at + cut);
      }
      if (rand(5) === 0) text = text.slice(0, rand(text.length + 1));
      lines.push(text);
    }
    for (const text of lines) expect(parseStat(text)).toEqual(splitParse(text));
  });

  test("zombies and dead tasks count as gone", () => {
    expect(isGone(parseStat(line("z", "Z")))).toBe(true);
    expect(isGone(parseStat(line("x", "X")))).toBe(true);
    expect(isGone(parseStat(line("r", "R")))).toBe(false);
    expect(isGone(null)).toBe(true);
  });

  test("reads this process", () => {
    const stat = readNow.stat(process.pid)!;
    expect(stat.pid).toBe(process.pid);
    expect(stat.ppid).toBe(process.ppid);
  });

  test("a missing process is null, not a crash", () => {
    expect(readNow.stat(2 ** 22 + 1)).toBeNull();
  });
});

describe("prefetchStats (the parallel read ls uses)", () => {
  test("answers what readNow.stat answers for the pids asked, null for a missing or unasked pid", async () => {
    const missing = 2 ** 22 + 1;
    // A live pid that is not asked for: our own child (pid 1 may be our parent in a namespace).
    const child = Bun.spawn(["sleep", "30"], { stdio: ["ignore", "ignore", "ignore"] });
    try {
      const read = await prefetchStats([process.pid, process.ppid, missing, process.pid]);
      const { pid, comm, ppid, pgrp, startTicks } = readNow.stat(process.pid)!;
      expect(read(process.pid)).toMatchObject({ pid, comm, ppid, pgrp, startTicks });
      expect(read(process.ppid)!.startTicks).toBe(readNow.stat(process.ppid)!.startTicks);
      expect(read(missing)).toBeNull();
      expect(readNow.stat(child.pid)).not.toBeNull();
      expect(read(child.pid)).toBeNull();
    } finally {
      child.kill("SIGKILL");
      await child.exited;
    }
  });

  test("readInBatch.stat answers what readNow.stat answers, null for a missing process", async () => {
    const missing = 2 ** 22 + 1;
    expect(await readInBatch.stat(missing)).toBeNull();
    const [mine, parent] = await Promise.all([readInBatch.stat(process.pid), readInBatch.stat(process.ppid)]);
    expect(mine!.startTicks).toBe(readNow.stat(process.pid)!.startTicks);
    expect(parent!.pid).toBe(process.ppid);
  });

  test("no pids: an empty reader", async () => {
    expect((await prefetchStats([]))(process.pid)).toBeNull();
  });
});
