// Where the ledger, the log and captured output live.

import { join } from "node:path";

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUPERVISE_HOME) return env.SUPERVISE_HOME;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "supervise");
  return join(env.HOME || homeDirectory(), ".local", "state", "supervise");
}

/** Creates the directory (mode 0700) if needed; throws when it cannot exist. */
export function ensureStateDir(dir: string): string {
  // Required here, not imported: the hooks read stateDir() on paths that never touch node:fs.
  const { mkdirSync } = require("node:fs") as typeof import("node:fs");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** $HOME is nearly always set; node:os (~0.4 ms to import) is loaded only when it is not. */
export function homeDirectory(): string {
  return (require("node:os") as typeof import("node:os")).homedir();
}
