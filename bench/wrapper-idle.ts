// What a wrapper costs while its command runs: five `supervise run -- sleep` wrappers, an idle
// Bun script and GNU `timeout` around the same `sleep`, all in one run. After a settling
// period, CPU ticks (utime + stime from /proc/PID/stat, 10 ms each) over the steady-state
// window, and PSS / RSS from /proc/PID/smaps_rollup at its end. Then how fast a wrapper
// notices its parent's death: its parent shell SIGKILLed, until the command is gone. The same
// CLI built by `bun build --compile` into one file runs beside them: what a single-file copy
// of supervise would cost a waiting wrapper.
// The settling can be made longer than the first two judgement writes (30 s and 60 s in) to
// see the steady state alone; BASELINE_CLI=<another checkout's src/cli.ts> runs that version's
// wrapper in the same run.
// Usage: [BASELINE_CLI=…] bun bench/wrapper-idle.ts [steady seconds = 60] [count = 5] [settle seconds = 5]

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, cpuTicks, median } from "./lib.ts";

const STEADY_S = Number(process.argv[2] ?? 60);
const COUNT = Number(process.argv[3] ?? 5);
const SETTLE_MS = Number(process.argv[4] ?? 5) * 1_000;
const b = benchDir();
const spawned: Bun.Subprocess[] = [];

function memoryKiB(pid: number): { pss: number; rss: number; anon: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(rollup)?.[1] ?? NaN);
  return { pss: kb("Pss"), rss: kb("Rss"), anon: kb("Pss_Anon") };
}

/** Starts `cmd` and resolves once the command under it printed its ready line. */
async function started(cmd: string[]): Promise<number> {
  const proc = Bun.spawn(cmd, { env: b.env, cwd: b.dir, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  spawned.push(proc);
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return proc.pid;
}

const SLEEP = ["sh", "-c", `echo ready; exec sleep ${STEADY_S + SETTLE_MS / 1000 + 120}`];
const compiled = join(b.dir, "supervise");
const build = Bun.spawnSync([BUN, "build", "--compile", CLI, "--outfile", compiled], { stdio: ["ignore", "ignore", "inherit"] });
if (build.exitCode !== 0) throw new Error("bun build --compile failed");
const kinds: Record<string, string[]> = {
  "supervise run": [BUN, CLI, "run", "--", ...SLEEP],
  "compiled run": [compiled, "run", "--", ...SLEEP],
  "idle bun script": [BUN, "-e", "console.log('ready'); setInterval(() => {}, 60_000)"],
  "timeout": ["timeout", String(STEADY_S + SETTLE_MS / 1000 + 120), ...SLEEP],
};
if (process.env.BASELINE_CLI) kinds["baseline run"] = [BUN, process.env.BASELINE_CLI, "run", "--", ...SLEEP];

function isGone(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]![0];
    return state === "Z" || state === "X";
  } catch {
    return true;
  }
}

/** A shell starts a wrapper and is SIGKILLed: ms until the wrapper has ended the command. */
async function parentDeathNoticedMs(): Promise<number> {
  const inner = `${BUN} ${CLI} run -- sh -c 'echo $$; exec sleep 100' & wait`;
  const shell = Bun.spawn(["bash", "-c", inner], { env: b.env, cwd: b.dir, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  spawned.push(shell);
  const reader = shell.stdout.getReader();
  const command = Number(new TextDecoder().decode((await reader.read()).value).trim());
  reader.releaseLock();
  await Bun.sleep(300); // the wrapper is in its wait
  const killedAt = performance.now();
  shell.kill("SIGKILL");
  while (!isGone(command)) await Bun.sleep(1);
  return performance.now() - killedAt;
}

try {
  const pids: Record<string, number[]> = {};
  for (const [name, cmd] of Object.entries(kinds)) {
    pids[name] = [];
    for (let i = 0; i < COUNT; i++) pids[name]!.push(await started(cmd));
  }
  await Bun.sleep(SETTLE_MS); // start-up is over: what follows is the waiting phase alone
  const before = Object.fromEntries(Object.entries(pids).map(([n, ps]) => [n, ps.map(cpuTicks)]));
  await Bun.sleep(STEADY_S * 1_000);
  console.log(`${COUNT} of each, ${STEADY_S} s of steady state after ${SETTLE_MS / 1000} s of settling`);
  console.log(`${"".padEnd(16)} ${"ticks each".padStart(14)} ${"PSS MiB".padStart(9)} ${"anon PSS".padStart(9)} ${"RSS MiB".padStart(9)}`);
  const medians: Record<string, { ticks: number; pss: number; anon: number }> = {};
  for (const [name, ps] of Object.entries(pids)) {
    const ticks = ps.map((pid, i) => cpuTicks(pid) - before[name]![i]!);
    const mem = ps.map(memoryKiB);
    const mib = (k: "pss" | "rss" | "anon") => (median(mem.map((m) => m[k])) / 1024).toFixed(1);
    medians[name] = { ticks: median(ticks), pss: median(mem.map((m) => m.pss)), anon: median(mem.map((m) => m.anon)) };
    console.log(`${name.padEnd(16)} ${ticks.join(",").padStart(14)} ${mib("pss").padStart(9)} ${mib("anon").padStart(9)} ${mib("rss").padStart(9)}`);
  }
  const w = medians["supervise run"]!;
  const idle = medians["idle bun script"]!;
  const c = medians["compiled run"]!;
  console.log(`wrapper: ${w.ticks} ticks (target <= 3), PSS ${(w.pss / 1024).toFixed(1)} MiB (target <= 8); PSS ${(w.pss / idle.pss).toFixed(2)}x the idle Bun script`);
  console.log(`compiled wrapper: ${c.ticks} ticks, PSS ${(c.pss / 1024).toFixed(1)} MiB (${(c.pss / w.pss).toFixed(2)}x the wrapper's), anon PSS ${(c.anon / 1024).toFixed(1)} MiB (${(c.anon / w.anon).toFixed(2)}x)`);
  const latencies: number[] = [];
  for (let i = 0; i < COUNT; i++) latencies.push(await parentDeathNoticedMs());
  console.log(`parent death to command gone: ${latencies.map((ms) => ms.toFixed(0)).join(", ")} ms (median ${median(latencies).toFixed(0)}; target <= 300)`);
} finally {
  // Each wrapper forwards TERM to its command and exits; so does timeout.
  for (const proc of spawned) proc.kill("SIGTERM");
  await Promise.all(spawned.map((p) => p.exited));
  b.cleanup();
}
