// Each test gets its own SUPERVISE_HOME and config, and ends every process it started,
// by pid, even when it fails: tracked pids first (identity-checked), then anything still
// carrying this sandbox's SUPERVISE_HOME in its environment.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentVariables } from "../../src/ownership/agents.ts";
import { readNow } from "../../src/proc/facts.ts";
import { COOKIE } from "../../src/proc/scan.ts";

export const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");
export const BUN = process.execPath;

/** Variables from the developer's own agent session (or supervise entry) that must not leak into tests. */
export const SCRUBBED = [...agentVariables(), "SUPERVISE_SESSION", COOKIE, "SUPERVISE_HOME", "SUPERVISE_CONFIG"];

export interface Sandbox {
  dir: string;
  home: string;
  configPath: string;
  env: Record<string, string>;
  track(pid: number): void;
  cleanup(): Promise<void>;
}

export function makeSandbox(config: unknown = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "supervise-test-"));
  const home = join(dir, "state");
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !SCRUBBED.includes(k)) env[k] = v;
  Object.assign(env, { SUPERVISE_HOME: home, SUPERVISE_CONFIG: configPath, NO_COLOR: "1" });
  const tracked = new Map<number, number>();

  return {
    dir,
    home,
    configPath,
    env,
    track(pid) {
      const ticks = startTicks(pid);
      if (ticks !== null) tracked.set(pid, ticks);
    },
    async cleanup() {
      for (const [pid, ticks] of tracked) if (startTicks(pid) === ticks) kill(pid);
      for (const pid of pidsWithEnv(`SUPERVISE_HOME=${home}`)) kill(pid);
      await waitFor(() => pidsWithEnv(`SUPERVISE_HOME=${home}`).length === 0, 5_000).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {}
}

export function readStatFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

export function startTicks(pid: number): number | null {
  const f = readStatFields(pid);
  return f ? Number(f[19]) : null;
}

/** Alive and not a zombie: kill(pid, 0) would also say yes for a zombie. */
export function isAlive(pid: number): boolean {
  const f = readStatFields(pid);
  return f !== null && f[0] !== "Z" && f[0] !== "X";
}

export function pgidOf(pid: number): number | null {
  const f = readStatFields(pid);
  return f ? Number(f[2]) : null;
}

/** Through the reader that waits out an execve: a process that re-execs reads empty inside one. */
export function pidsWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name) || Number(name) === process.pid) continue;
    const environ = readNow.environ(Number(name));
    if (environ !== null && environ.split("\0").includes(entry) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  let delay = 5;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}
