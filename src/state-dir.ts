// Where the ledger, the log and captured output live, and the few path operations the hot
// paths need: node:path costs ~0.6-0.8 ms to import and 1.5 MiB of a waiting wrapper's RSS.

import { nodeFs } from "./lazy-fs.ts";

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUPERVISE_HOME) return env.SUPERVISE_HOME;
  if (env.XDG_STATE_HOME) return under(env.XDG_STATE_HOME, "supervise");
  return under(env.HOME || homeDirectory(), ".local/state/supervise");
}

/**
 * `base/rest` without node:path: importing it costs ~0.6 ms, and the PreToolUse hook runs
 * this before every Bash call. Absolute bases from the environment need no normalising.
 */
export function under(base: string, rest: string): string {
  return `${base.replace(/\/+$/, "")}/${rest}`;
}

/** path.resolve(base, p) for an absolute base: `.`, `..` and repeated slashes folded. */
export function resolvePath(base: string, p: string): string {
  const parts: string[] = [];
  for (const part of (p.startsWith("/") ? p : `${base}/${p}`).split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** path.dirname for a normalised absolute path. */
export function parentDir(p: string): string {
  const at = p.lastIndexOf("/");
  return at <= 0 ? "/" : p.slice(0, at);
}

/** Creates the directory (mode 0700) if needed; throws when it cannot exist. */
export function ensureStateDir(dir: string): string {
  nodeFs().mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** $HOME is nearly always set; node:os (~0.4 ms to import) is loaded only when it is not. */
export function homeDirectory(): string {
  return (require("node:os") as typeof import("node:os")).homedir();
}
