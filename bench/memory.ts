// Resident memory of a wrapper waiting on `sleep`, against an idle Bun process and GNU
// timeout doing the same wait. Target: 30 MiB RSS or less. Also prints anonymous vs
// file-backed RSS and PSS: most of a Bun process's RSS is the shared, read-only binary.
// Usage: bun bench/memory.ts [wrappers]

import { readFileSync } from "node:fs";
import { benchDir, BUN, CLI, median } from "./lib.ts";

const count = Number(process.argv[2] ?? 5);
const b = benchDir();

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
  const pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? NaN);
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), pss };
}

async function waiting(cmd: string[]): Promise<Bun.Subprocess<"ignore", "pipe", "inherit">> {
  const proc = Bun.spawn(cmd, { env: b.env, cwd: b.dir, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  // Handshake: the command prints once it is running under the wrapper.
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  await Bun.sleep(300); // let the wrapper settle into its wait
  return proc;
}

const kinds: Record<string, string[]> = {
  "supervise run (waiting)": [BUN, CLI, "run", "--", "sh", "-c", "echo ready; exec sleep 60"],
  "idle bun script": [BUN, "-e", "console.log('ready'); setInterval(() => {}, 1000)"],
  "timeout 60 (waiting)": ["timeout", "60", "sh", "-c", "echo ready; exec sleep 60"],
};

const procs: Bun.Subprocess[] = [];
try {
  console.log(`memory of a process waiting on its command, median of ${count} (KiB)`);
  let wrapperRss = 0;
  for (const [name, cmd] of Object.entries(kinds)) {
    const samples: ReturnType<typeof memory>[] = [];
    for (let i = 0; i < count; i++) {
      const proc = await waiting(cmd);
      procs.push(proc);
      samples.push(memory(proc.pid));
    }
    const m = (k: keyof ReturnType<typeof memory>) => median(samples.map((s) => s[k]));
    console.log(`  ${name.padEnd(26)} RSS ${String(m("rss")).padStart(6)}  anon ${String(m("anon")).padStart(6)}  file ${String(m("file")).padStart(6)}  PSS ${String(m("pss")).padStart(6)}`);
    if (name.startsWith("supervise")) wrapperRss = m("rss");
  }
  console.log(`wrapper RSS: ${(wrapperRss / 1024).toFixed(1)} MiB (target <= 30 MiB)`);
} finally {
  for (const proc of procs) {
    try {
      // The wrapper forwards TERM to its command and exits; timeout does too.
      proc.kill("SIGTERM");
    } catch {}
  }
  await Promise.all(procs.map((p) => p.exited));
  b.cleanup();
}
