// The tree's facts read from /proc, against real processes: their ports, a read of a stdin
// nobody writes, CPU, and when their output last changed.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readTreeFacts, treeOf } from "../../src/activity/facts.ts";
import { makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

// Node and Bun start slowly on a loaded machine; each wait has its own deadline below this.
setDefaultTimeout(30_000);

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
  test("a TCP listener and a UDP server: their ports; a connected TCP client and a UDP client (its port the kernel's pick) hold none", async () => {
    sb = makeSandbox();
    const portFile = join(sb.dir, "ports");
    // The net namespace is the host's: the UDP server tries ports below the ephemeral range until one is free.
    const server = start(["python3", "-c", `
import random, socket, time
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    try:
        u.bind(("127.0.0.1", random.randint(20000, 32000))); break
    except OSError:
        pass
c = socket.create_connection(t.getsockname())
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.sendto(b"x", u.getsockname())
open(${JSON.stringify(portFile)}, "w").write(f"{t.getsockname()[1]} {u.getsockname()[1]} {c.getsockname()[1]} {d.getsockname()[1]}")
time.sleep(100)`]);
    await waitFor(() => readFileSync(portFile, { encoding: "utf8", flag: "a+" }).split(" ").length === 4, 10_000, "the ports");
    const [tcp, udp, client, udpClient] = readFileSync(portFile, "utf8").split(" ").map(Number);
    const facts = readTreeFacts(treeOf(server.pid));
    expect(facts.ports).toEqual([tcp!, udp!].sort((a, b) => a - b));
    expect(facts.ports).not.toContain(client);
    expect(facts.ports).not.toContain(udpClient);
  });

  test("a read of a stdin pipe nobody writes is seen; the same read of /dev/null is not (it returns at once)", async () => {
    sb = makeSandbox();
    const reader = start(["sh", "-c", "read -r x; sleep 100"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([reader.pid]).readingStdin, 10_000, "the read");
    const sleeper = start(["sh", "-c", "read -r x; exec sleep 100"], "ignore", "ignore");
    await waitFor(() => readFileSync(`/proc/${sleeper.pid}/comm`, "utf8").trim() === "sleep", 10_000, "the read to return");
    expect(readTreeFacts([sleeper.pid]).readingStdin).toBe(false);
  });

  test("a pipeline's reader waits on its own writer (`sleep | cat`), not for an answer", async () => {
    sb = makeSandbox();
    const pipeline = start(["sh", "-c", "sleep 100 | cat"], "ignore", "ignore");
    await waitFor(() => treeOf(pipeline.pid).some((pid) => readFileSync(`/proc/${pid}/syscall`, "utf8").startsWith(process.arch === "arm64" ? "63 0x0 " : "0 0x0 ")), 10_000, "cat's read");
    expect(readTreeFacts(treeOf(pipeline.pid)).readingStdin).toBe(false);
    // Looked at without its writer, the same read is a wait for an answer.
    const cat = treeOf(pipeline.pid).find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "cat")!;
    expect(readTreeFacts([cat]).readingStdin).toBe(true);
  });

  test("a prompt on a terminal below a shell (which holds the terminal read-write), on a thread, and in bash's read -t (select on fd 0)", async () => {
    sb = makeSandbox();
    const onTerminal = start(["script", "-qfc", "bash -c 'python3 -c \"input()\"; echo'", "/dev/null"], "ignore", "pipe");
    await waitFor(() => readTreeFacts(treeOf(onTerminal.pid)).readingStdin, 15_000, "the terminal prompt");
    const onThread = start(["python3", "-c", "import threading, time\nthreading.Thread(target=input, daemon=True).start()\ntime.sleep(100)"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([onThread.pid]).readingStdin, 15_000, "the thread's read");
    const timed = start(["bash", "-c", "read -t 100 x"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([timed.pid]).readingStdin, 15_000, "read -t");
  });

  test("an event loop's prompt (Bun and Node wait in epoll with stdin in the set) is a read of stdin; a timer alone is not", async () => {
    sb = makeSandbox();
    const bunPrompt = start([process.execPath, "-e", "process.stdin.on('data', () => {})"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([bunPrompt.pid]).readingStdin, 15_000, "Bun's prompt");
    const nodePrompt = start(["node", "-e", "require('readline').createInterface({ input: process.stdin }).question('? ', () => {})"], "ignore", "pipe");
    await waitFor(() => readTreeFacts([nodePrompt.pid]).readingStdin, 15_000, "Node's prompt");
    const timer = start([process.execPath, "-e", "setInterval(() => {}, 50)"], "ignore", "pipe");
    // Bun's loop sleeps in epoll_pwait2 (441 on x64 and arm64).
    await waitFor(() => readFileSync(`/proc/${timer.pid}/syscall`, "utf8").startsWith("441 "), 15_000, "the timer's loop");
    expect(readTreeFacts([timer.pid]).readingStdin).toBe(false);
  });

  test("I/O: a process's own, never its reaped children's (a poll loop's execs); a runtime's own reads are a trickle; a completed read of stdin is input that came", async () => {
    sb = makeSandbox();
    const bytesOf = (facts: ReturnType<typeof readTreeFacts>, pid: number) => [...facts.io!].find(([key]) => key.startsWith(`${pid}:`))?.[1] ?? NaN;
    const poll = start(["bash", "-c", "while :; do /bin/true; sleep 0.05; done"], "ignore", "ignore");
    const timer = start([process.execPath, "-e", "setInterval(() => {}, 10)"], "ignore", "ignore");
    await waitFor(() => readFileSync(`/proc/${timer.pid}/syscall`, "utf8").startsWith("441 "), 10_000, "the timer's loop");
    const first = readTreeFacts([poll.pid, timer.pid]);
    const t0 = performance.now();
    // Some twenty execs of /bin/true, each reading its ELF headers into bash's reaped-children account.
    const execs = () => Number(/^syscr: ([0-9]+)$/m.exec(readFileSync(`/proc/${poll.pid}/io`, "utf8"))?.[1]);
    const execsBefore = execs();
    await waitFor(() => execs() > execsBefore + 100, 10_000, "the loop's execs");
    const second = readTreeFacts([poll.pid, timer.pid]);
    const seconds = (performance.now() - t0) / 1000;
    expect(bytesOf(second, poll.pid) - bytesOf(first, poll.pid)).toBeLessThan(512);
    expect((bytesOf(second, timer.pid) - bytesOf(first, timer.pid)) / seconds).toBeLessThan(256);

    const fed = start(["cat"], "ignore", "pipe");
    await waitFor(() => (readTreeFacts([fed.pid]).stdinReads?.size ?? 0) > 0, 10_000, "cat blocked on its stdin");
    const blocked = readTreeFacts([fed.pid]);
    expect(readTreeFacts([fed.pid], fed.pid, blocked.stdinReads).fed).toBe(false);
    fed.stdin!.write("line\n");
    await fed.stdin!.flush();
    await waitFor(() => readTreeFacts([fed.pid], fed.pid, blocked.stdinReads).fed === true, 10_000, "the read to complete");
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

  test("fed: a reader behind the tree's own pipe (tail -f | grep), and bash's read -t (select), count; a loop re-reading a file it waits on writes nothing", async () => {
    sb = makeSandbox();
    const log = join(sb.dir, "app.log");
    await Bun.write(log, "");
    const pipeline = start(["bash", "-c", `tail -n0 -f ${log} | grep zzz`], "ignore", "ignore");
    await waitFor(() => (readTreeFacts(treeOf(pipeline.pid)).stdinReads?.size ?? 0) > 0, 10_000, "grep blocked on the pipe");
    const before = readTreeFacts(treeOf(pipeline.pid));
    require("node:fs").appendFileSync(log, "a line\n");
    await waitFor(() => readTreeFacts(treeOf(pipeline.pid), pipeline.pid, before.stdinReads).fed === true, 10_000, "grep fed");
    const timed = start(["bash", "-c", "while read -t 30 l; do :; done"], "ignore", "pipe");
    await waitFor(() => (readTreeFacts([timed.pid]).stdinReads?.size ?? 0) > 0, 10_000, "read -t waiting");
    const waiting = readTreeFacts([timed.pid]);
    timed.stdin!.write("x\n");
    await timed.stdin!.flush();
    await waitFor(() => readTreeFacts([timed.pid], timed.pid, waiting.stdinReads).fed === true, 10_000, "read -t fed");
    const big = join(sb.dir, "big.log");
    await Bun.write(big, "x".repeat(13_000));
    const poller = start(["python3", "-c", `import time\nwhile 'READY' not in open(${JSON.stringify(big)}).read(): time.sleep(0.05)`], "ignore", "ignore");
    const rchar = () => Number(/^rchar: ([0-9]+)$/m.exec(readFileSync(`/proc/${poller.pid}/io`, "utf8"))?.[1]);
    await waitFor(() => rchar() > 0, 10_000, "python up");
    const first = readTreeFacts([poller.pid]);
    const readBefore = rchar();
    await waitFor(() => rchar() > readBefore + 50_000, 10_000, "a few re-reads");
    const second = readTreeFacts([poller.pid]);
    const written = (f: typeof first) => [...f.io!.values()][0]!;
    expect(written(second) - written(first)).toBeLessThan(512);
  });

  test("a pid that is gone: no facts, no throw", () => {
    expect(readTreeFacts([2 ** 22 + 1])).toEqual({ pids: [2 ** 22 + 1], cpuTicks: 0, queuedMs: 0, rssBytes: 0, ports: [], readingStdin: false, stopped: false, outputAt: null, io: new Map(), stdinReads: new Map(), fed: false });
    expect(treeOf(2 ** 22 + 1)).toEqual([]);
  });
});
