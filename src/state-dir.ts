// Where the ledger, the log and captured output live.

import { nodeFs } from "./lazy-fs.ts";

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUPERVISE_HOME) return env.SUPERVISE_HOME;
  if (env.XDG_STATE_HOME) return under(env.XDG_STATE_HOME, "supervise");
  return under(env.HOME || homeDirectory(), ".local/state/supervise");
}

/** `base/rest`: the paths joined here are absolute ones from the environment, which need no normalising. */
export function under(base: string, rest: string): string {
  return `${base.replace(/\/+$/, "")}/${rest}`;
}

/** Creates the directory (mode 0700) if needed; throws when it cannot exist. */
export function ensureStateDir(dir: string): string {
  nodeFs().mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** $HOME is nearly always set; node:os is loaded only when it is not. */
export function homeDirectory(): string {
  return (require("node:os") as typeof import("node:os")).homedir();
}
