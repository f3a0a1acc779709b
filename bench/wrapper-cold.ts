// A waiting wrapper's private memory when it started on a cold config cache (a fresh state
// dir, any config file): five `supervise run -- sleep` started at once, then five more once
// the cache is warm, each batch measured 5 s into its wait (Pss_Anon from smaps_rollup: PSS
// splits Bun's binary among whatever maps it and moves by MiBs between runs). An idle Bun
// script is the peer; BASELINE_CLI=<another checkout's src/cli.ts> runs that version's
// wrappers in the same run, each on a state dir of its own.
// Usage: [BASELINE_CLI=…] bun bench/wrapper-cold.ts [count = 5]

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, median } from "./lib.ts";

const COUNT = Number(process.argv[2] ?? 5);
const SLEEP = ["sh", "-c", "echo ready; exec sleep 120"];

function anonMiB(pid: number): number {
  return Number(/^Pss_Anon:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? NaN) / 1024;
}

/** COUNT of `cmd` at once; the median Pss_Anon once they have waited 5 s. */
async function batch(cmd: string[], env: Record<string, string>): Promise<number> {
  const procs = Array.from({ length: COUNT }, () => Bun.spawn(cmd, { env, stdio: ["ignore", "pipe", "inherit"] }));
  try {
    for (const proc of procs) {
      const reader = proc.stdout.getReader();
      await reader.read();
      reader.releaseLock();
    }
    await Bun.sleep(5_000);
    return median(procs.map((p) => anonMiB(p.pid)));
  } finally {
    for (const proc of procs) proc.kill();
    await Promise.all(procs.map((p) => p.exited));
  }
}

const clis: Record<string, string> = { "supervise run": CLI };
if (process.env.BASELINE_CLI) clis["baseline run"] = process.env.BASELINE_CLI;
const idleBench = benchDir();
try {
  const idle = await batch([BUN, "-e", "console.log('ready'); setInterval(() => {}, 60_000)"], idleBench.env);
  console.log(`Pss_Anon, median of ${COUNT} started at once, 5 s into the wait`);
  console.log(`  idle bun script          ${idle.toFixed(1)} MiB`);
  for (const [name, cli] of Object.entries(clis)) {
    const b = benchDir();
    try {
      writeFileSync(join(b.dir, "config.json"), "{}");
      const cold = await batch([BUN, cli, "run", "--", ...SLEEP], b.env);
      const warm = await batch([BUN, cli, "run", "--", ...SLEEP], b.env);
      console.log(`  ${name.padEnd(14)} cold ${cold.toFixed(1)} MiB (${(cold / idle).toFixed(2)}x idle), warm ${warm.toFixed(1)} MiB (${(warm / idle).toFixed(2)}x)`);
    } finally {
      b.cleanup();
    }
  }
  console.log("target: <= 4.5 MiB cold and warm alike");
} finally {
  idleBench.cleanup();
}
