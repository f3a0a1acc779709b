// What stopping costs: `supervise kill --all --grace 3s` of 10 TERM-ignoring entries, its CPU
// time (user + system, from the process's rusage) over the grace period and SIGKILL, against
// `sleep 3` in the same run, and beside it the same kill with nothing to kill (its start-up:
// what is left is the stop's own). An optional second checkout (an older supervise) runs the same
// kill on a fresh set of entries, for a before/after in one run.
// Usage: bun bench/kill-cpu.ts [rounds = 3] [other-checkout's src/cli.ts]

import { join } from "node:path";
import { benchDir, BUN, CLI, median } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 3);
const other = process.argv[3];
const GRACE = "3s";
const b = benchDir();
const spawned: Bun.Subprocess[] = [];

/** Each checkout its own state dir: their ledger schemas differ. */
const envFor = (cli: string) => ({ ...b.env, SUPERVISE_HOME: join(b.dir, cli === CLI ? "state" : "state-other") });

/** Ten entries whose commands ignore TERM, started by `cli`; resolves once all are running. */
async function stubbornEntries(cli: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const proc = Bun.spawn([BUN, cli, "run", "--", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"], { env: envFor(cli), cwd: b.dir, stdout: "pipe", stderr: "inherit" });
    spawned.push(proc);
    const reader = proc.stdout.getReader();
    await reader.read();
    reader.releaseLock();
  }
}

function cpuOf(cmd: string[], env: Record<string, string> = b.env): { cpuMs: number; wallMs: number; exitCode: number } {
  const started = performance.now();
  const r = Bun.spawnSync(cmd, { env, cwd: b.dir, stdio: ["ignore", "ignore", "inherit"] });
  const usage = r.resourceUsage;
  return { cpuMs: Number(usage.cpuTime.user + usage.cpuTime.system) / 1000, wallMs: performance.now() - started, exitCode: r.exitCode ?? -1 };
}

try {
  const kinds: Record<string, string> = { "supervise kill --all": CLI, ...(other ? { "older supervise kill --all": other } : {}) };
  const results: Record<string, Array<{ cpuMs: number; wallMs: number }>> = { "sleep 3": [], "kill --all, nothing to kill": [] };
  for (const name of Object.keys(kinds)) results[name] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [name, cli] of Object.entries(kinds)) {
      await stubbornEntries(cli);
      const r = cpuOf([BUN, cli, "kill", "--all", "--grace", GRACE], envFor(cli));
      if (r.exitCode !== 0) throw new Error(`${name} exited ${r.exitCode}`);
      results[name]!.push(r);
    }
    results["sleep 3"]!.push(cpuOf(["sleep", "3"]));
    results["kill --all, nothing to kill"]!.push(cpuOf([BUN, CLI, "kill", "--all", "--grace", GRACE], envFor(CLI)));
  }
  console.log(`10 TERM-ignoring entries, --grace ${GRACE}, ${rounds} rounds (median)`);
  const cpu = (name: string) => median(results[name]!.map((r) => r.cpuMs));
  for (const [name, rs] of Object.entries(results)) {
    console.log(`  ${name.padEnd(28)} CPU ${cpu(name).toFixed(1).padStart(7)} ms   wall ${median(rs.map((r) => r.wallMs)).toFixed(0).padStart(6)} ms`);
  }
  const own = cpu("supervise kill --all") - cpu("kill --all, nothing to kill");
  console.log(`  the stop's own CPU (kill --all minus its start-up): ${own.toFixed(1)} ms, ${(own / cpu("sleep 3")).toFixed(1)}x sleep 3's`);
} finally {
  // The commands ignore TERM: end them through their entries first, then the wrappers.
  for (const cli of [CLI, ...(other ? [other] : [])]) cpuOf([BUN, cli, "kill", "--all", "--grace", "200ms"], envFor(cli));
  for (const proc of spawned) proc.kill("SIGKILL");
  await Promise.all(spawned.map((p) => p.exited));
  b.cleanup();
}
