// How supervise calls itself from a hook's output: absolute paths to the Bun executable and
// to this CLI, so nothing depends on PATH.

import { join } from "node:path";

export function selfCommand(): { bun: string; cli: string } {
  return { bun: process.execPath, cli: join(import.meta.dir, "..", "cli.ts") };
}

/**
 * `supervise ARGS` fully detached: a new session and no stdio, so the hook runner neither
 * waits for it (it reads our stdout to EOF) nor takes it down when it exits.
 */
export function spawnDetachedSelf(args: readonly string[]): void {
  const { bun, cli } = selfCommand();
  Bun.spawn([bun, cli, ...args], { stdio: ["ignore", "ignore", "ignore"], detached: true, env: process.env }).unref();
}
