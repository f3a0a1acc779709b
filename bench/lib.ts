// Shared by the benchmarks: whole-process timing, medians, an isolated state dir.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRUBBED } from "../test/helpers/sandbox.ts";

export const BUN = process.execPath;
export const CLI = join(import.meta.dir, "..", "src", "cli.ts");

export interface Bench {
  dir: string;
  env: Record<string, string>;
  emptyScript: string;
  cleanup(): void;
}

export function benchDir(): Bench {
  const dir = mkdtempSync(join(tmpdir(), "supervise-bench-"));
  const emptyScript = join(dir, "empty.ts");
  writeFileSync(emptyScript, "");
  writeFileSync(join(dir, "config.json"), "{}");
  const env: Record<string, string> = {};
  // A bench run from inside an agent session must not record that live CLI as its entries' owner.
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUBBED.includes(k)) env[k] = v;
  Object.assign(env, { SUPERVISE_HOME: join(dir, "state"), SUPERVISE_CONFIG: join(dir, "config.json") });
  return { dir, env, emptyScript, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Wall time of one whole process, in ms. */
export function wall(cmd: string[], env: Record<string, string>, cwd: string): { ms: number; exitCode: number } {
  const start = performance.now();
  const r = Bun.spawnSync(cmd, { env, cwd, stdio: ["ignore", "ignore", "inherit"] });
  return { ms: performance.now() - start, exitCode: r.exitCode ?? -1 };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs each command `rounds` times, interleaved so machine noise hits all of them alike. */
export function compare(commands: Record<string, string[]>, rounds: number, env: Record<string, string>, cwd: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) out[name] = [];
  for (const cmd of Object.values(commands)) for (let i = 0; i < 3; i++) wall(cmd, env, cwd); // warm caches
  for (let i = 0; i < rounds; i++) {
    for (const [name, cmd] of Object.entries(commands)) {
      const r = wall(cmd, env, cwd);
      if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}`);
      out[name]!.push(r.ms);
    }
  }
  return out;
}

export const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** A process's user + system CPU in clock ticks (10 ms each), threads that exited included. */
export function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
