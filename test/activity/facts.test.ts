// The tree's facts read from /proc, against real processes: their ports, a read of a stdin
// nobody writes, CPU, and when their output last changed.

import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readTreeFacts, treeOf } from "../../src/activity/facts.ts";
import { makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** Starts `cmd` and tracks it; stdout to `stdout` (a path, "ignore" or "pipe"). */
function start(cmd: string[], stdout: string | "ignore" | "pipe" = "ignore", stdin: "pipe" | "ignore" = "ignore") {
  const out = stdout === "ignore" || stdout === "pipe" ? stdout : openSync(stdout, "w");
  const proc = Bun.spawn(cmd, { env: sb.env, cwd: sb.dir, stdin, stdout: out, stderr: "ignore" });
  if (typeof out === "number") closeSync(out);
  sb.track(proc.pid);
  return proc;
}

describe("readTreeFacts", () => {
  test("a TCP listener and a bound UDP socket: their ports; a connected client holds none", async () => {
    sb = makeSandbox();
    const portFile = join(sb.dir, "ports");
    const server = start(["python3", "-c", `
import socket, time
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
c = socket.create_connection(t.getsockname())
open(${JSON.stringify(portFile)}, "w").write(f"{t.getsockname()[1]} {u.getsockname()[1]} {c.getsockname()[1]}")
time.sleep(100)`]);
    await waitFor(() => readFileSync(portFile, { encoding: "utf8", flag: "a+" }).split(" ").length === 3, 10_000, "the ports");
    const [tcp, udp, client] = readFileSync(portFile, "utf8").split(" ").map(Number);
    const facts = readTreeFacts(treeOf(server.pid));
    expect(facts.ports).toEqual([tcp!, udp!].sort((a, b) => a - b));
    expect(facts.ports).not.toContain(client);
  });

  test("a read of a stdin pipe nobody writes is seen; the same read of /dev/null is not (it returns at once)", async () => {
    sb = makeSandbox();
    const reader = start(["sh", "-c", "read -r x; sleep 100"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([reader.pid]).readingStdin, 10_000, "the read");
    const sleeper = start(["sh", "-c", "read -r x; exec sleep 100"], "ignore", "ignore");
    await waitFor(() => readFileSync(`/proc/${sleeper.pid}/comm`, "utf8").trim() === "sleep", 10_000, "the read to return");
    expect(readTreeFacts([sleeper.pid]).readingStdin).toBe(false);
  });

  test("CPU of the whole tree, its reaped children's included; the tree through every thread's children", async () => {
    sb = makeSandbox();
    const busy = start(["sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sh -c 'while :; do :; done' & wait"]);
    await waitFor(() => treeOf(busy.pid).length === 2, 20_000, "the child");
    const first = readTreeFacts(treeOf(busy.pid)).cpuTicks;
    await waitFor(() => readTreeFacts(treeOf(busy.pid)).cpuTicks > first + 20, 10_000, "more CPU");
    expect(treeOf(busy.pid)[0]).toBe(busy.pid);
    expect(readTreeFacts(treeOf(busy.pid)).rssBytes).toBeGreaterThan(0);
  });

  test("output: a regular file's mtime moves as it is written; /dev/null is 0 (seen, nothing arrives); a pipe is unknown", async () => {
    sb = makeSandbox();
    const file = join(sb.dir, "out");
    const writer = start(["sh", "-c", `echo one; while [ ! -e ${sb.dir}/go ]; do sleep 0.02; done; echo two; sleep 100`], file);
    await waitFor(() => readFileSync(file, "utf8") === "one\n", 10_000, "the first line");
    const before = readTreeFacts([writer.pid]).outputAt;
    expect(before).toBeGreaterThan(0);
    await Bun.write(join(sb.dir, "go"), "");
    await waitFor(() => readFileSync(file, "utf8") === "one\ntwo\n", 10_000, "the second line");
    await waitFor(() => (readTreeFacts([writer.pid]).outputAt ?? 0) >= before!, 10_000, "a later mtime");
    expect(readTreeFacts([start(["sleep", "100"], "ignore").pid]).outputAt).toBe(0);
    expect(readTreeFacts([start(["sleep", "100"], "pipe").pid]).outputAt).toBeNull();
  });

  test("a pid that is gone: no facts, no throw", () => {
    expect(readTreeFacts([2 ** 22 + 1])).toEqual({ pids: [2 ** 22 + 1], cpuTicks: 0, queuedMs: 0, rssBytes: 0, ports: [], readingStdin: false, stopped: false, outputAt: null });
    expect(treeOf(2 ** 22 + 1)).toEqual([]);
  });
});
