// What `supervise wait` costs while it waits: 10 supervised commands, one `wait` on all of
// them, its CPU time in two windows summed over its threads from /proc/PID/task/*/schedstat
// (nanoseconds; utime + stime come in 10 ms ticks, too coarse for this). Peers in the same
// run: an idle Bun process with the same watcher and a timer of wait's fallback interval (the
// runtime's own floor), and GNU `tail --pid=... -f /dev/null` on the 10 wrappers (coreutils
// polls the pids once a second).
// Usage: bun bench/wait-cpu.ts [seconds after start] [seconds of steady state]

import { readdirSync, readFileSync } from "node:fs";
import { benchDir, BUN, CLI, cpuTicks } from "./lib.ts";

const WAIT_S = Number(process.argv[2] ?? 30);
const STEADY_S = Number(process.argv[3] ?? 60);
const SETTLE_MS = 5_000;
const b = benchDir();
const spawned: Bun.Subprocess[] = [];

/** CPU time of every live thread of the process, in ms (the first field of schedstat is ns on CPU). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that just exited.
    }
  }
  return ns / 1e6;
}

try {
  const ids: string[] = [];
  const wrappers: number[] = [];
  for (let i = 0; i < 10; i++) {
    const w = Bun.spawn([BUN, CLI, "run", "--", "sh", "-c", 'echo "$SUPERVISE_ID"; exec sleep 600'], { env: b.env, cwd: b.dir, stdout: "pipe", stderr: "inherit" });
    spawned.push(w);
    const reader = w.stdout.getReader();
    const { value } = await reader.read();
    ids.push(new TextDecoder().decode(value).trim());
    wrappers.push(w.pid);
  }
  const wait = Bun.spawn([BUN, CLI, "wait", ...ids], { env: b.env, cwd: b.dir, stdio: ["ignore", "ignore", "inherit"] });
  const tail = Bun.spawn(["tail", ...wrappers.map((p) => `--pid=${p}`), "-f", "/dev/null"], { stdio: ["ignore", "ignore", "inherit"] });
  // The runtime's own floor: an idle Bun process with the same watcher and wait's 5 s fallback timer.
  const idle = Bun.spawn([BUN, "-e", `require("node:fs").watch(${JSON.stringify(b.env.SUPERVISE_HOME)}, () => {}); setInterval(() => {}, 5000)`], { stdio: ["ignore", "ignore", "inherit"] });
  spawned.push(wait, tail, idle);
  // Two windows: the first seconds after start carry start-up's aftermath (its garbage
  // collected, memory returned to the OS by the allocator's scavenger, hot code compiled);
  // after that, the steady state of a long wait.
  const windows: Array<[string, number, number]> = [
    ["after start", SETTLE_MS, SETTLE_MS + WAIT_S * 1000],
    ["steady state", SETTLE_MS + WAIT_S * 1000, SETTLE_MS + WAIT_S * 1000 + STEADY_S * 1000],
  ];
  const peers: Array<[string, Bun.Subprocess]> = [
    ["supervise wait", wait],
    ["idle bun, watcher + timer", idle],
    ["tail --pid x10 -f (peer)", tail],
  ];
  const began = performance.now();
  console.log("waiting on 10 entries: CPU time of all threads (schedstat), and user+system clock ticks (10 ms)");
  for (const [name, from, to] of windows) {
    await Bun.sleep(Math.max(0, from - (performance.now() - began)));
    const before = peers.map(([, p]) => [cpuMs(p.pid), cpuTicks(p.pid)] as const);
    await Bun.sleep(Math.max(0, to - (performance.now() - began)));
    const seconds = (to - from) / 1000;
    console.log(`  ${name}, ${from / 1000}-${to / 1000} s after start:`);
    peers.forEach(([peer, p], i) => {
      const ms = cpuMs(p.pid) - before[i]![0];
      const ticks = cpuTicks(p.pid) - before[i]![1];
      console.log(`    ${peer.padEnd(26)} ${ms.toFixed(2).padStart(6)} ms = ${((ms / (seconds * 1000)) * 100).toFixed(3)}% of one core, ${ticks} ticks`);
    });
  }
  const kill = Bun.spawnSync([BUN, CLI, "kill", "--all"], { env: b.env, cwd: b.dir });
  const started = performance.now();
  const code = await wait.exited;
  console.log(`kill --all exit ${kill.exitCode}; wait returned ${code} ${(performance.now() - started).toFixed(0)} ms after kill finished`);
} finally {
  for (const p of spawned) p.kill("SIGKILL");
  Bun.spawnSync([BUN, CLI, "kill", "--all", "--grace", "0"], { env: b.env, cwd: b.dir });
  b.cleanup();
}
