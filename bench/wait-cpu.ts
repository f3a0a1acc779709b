// What `supervise wait` costs while it waits: 10 supervised commands, one `wait` on all of
// them for WAIT_S seconds, its CPU time read from /proc (utime + stime) just before the
// entries end. Peer in the same run: GNU `tail --pid=... -f /dev/null` on the 10 wrappers
// (coreutils polls the pids once a second).
// Usage: bun bench/wait-cpu.ts [seconds]

import { readFileSync } from "node:fs";
import { benchDir, BUN, CLI } from "./lib.ts";

const WAIT_S = Number(process.argv[2] ?? 10);
const SETTLE_MS = 5_000;
const b = benchDir();
const spawned: Bun.Subprocess[] = [];

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
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
  // The runtime's own floor: an idle Bun process with the same watcher and a 2 s timer.
  const idle = Bun.spawn([BUN, "-e", `require("node:fs").watch(${JSON.stringify(b.env.SUPERVISE_HOME)}, () => {}); setInterval(() => {}, 2000)`], { stdio: ["ignore", "ignore", "inherit"] });
  spawned.push(wait, tail, idle);
  // Start-up's garbage is returned to the OS over the first seconds (bmalloc's scavenger):
  // measure the steady state.
  await Bun.sleep(SETTLE_MS);
  const waitStart = cpuTicks(wait.pid);
  const tailStart = cpuTicks(tail.pid);
  const idleStart = cpuTicks(idle.pid);
  await Bun.sleep(WAIT_S * 1000);
  const waitTicks = cpuTicks(wait.pid) - waitStart;
  const tailTicks = cpuTicks(tail.pid) - tailStart;
  const idleTicks = cpuTicks(idle.pid) - idleStart;
  const kill = Bun.spawnSync([BUN, CLI, "kill", "--all"], { env: b.env, cwd: b.dir });
  const started = performance.now();
  const code = await wait.exited;
  console.log(`waiting on 10 entries for ${WAIT_S} s (10 ms clock ticks of CPU, user + system):`);
  console.log(`  supervise wait             ${waitTicks} ticks = ${((waitTicks * 10) / (WAIT_S * 10)).toFixed(2)}% of one core`);
  console.log(`  idle bun, watcher + timer  ${idleTicks} ticks = ${((idleTicks * 10) / (WAIT_S * 10)).toFixed(2)}% of one core`);
  console.log(`  tail --pid x10 -f (peer)   ${tailTicks} ticks = ${((tailTicks * 10) / (WAIT_S * 10)).toFixed(2)}% of one core`);
  console.log(`(measured from ${SETTLE_MS / 1000} s after start) kill --all exit ${kill.exitCode}; wait returned ${code} ${(performance.now() - started).toFixed(0)} ms after kill finished`);
} finally {
  for (const p of spawned) p.kill("SIGKILL");
  Bun.spawnSync([BUN, CLI, "kill", "--all", "--grace", "0"], { env: b.env, cwd: b.dir });
  b.cleanup();
}
