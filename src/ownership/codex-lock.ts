// Codex's second proof of a live thread: a running, non-ephemeral `codex` holds an exclusive
// flock on $CODEX_HOME/thread-writer-locks/<thread>.lock (0.171.0). It can only keep a
// session alive (a thread resumed by a codex no hook recorded); it never proves one gone,
// since `--ephemeral` sessions take no lock at all.

import { nodeFs } from "../lazy-fs.ts";
import { lockKey, readFlockHolders } from "../proc/locks.ts";
import { environVar } from "./cookie.ts";

/** held: a process holds it; none: no lock file, or nobody holds it; unknown: a read failed. */
export type ThreadLockState = "held" | "none" | "unknown";

export interface LockFacts {
  /** The file's device and inode; null when there is no such file; throws when unreadable. */
  identity(path: string): { dev: number; ino: number } | null;
  /** Holders by /proc/locks key; null when /proc/locks could not be read. */
  holders(): ReadonlyMap<string, readonly number[]> | null;
  key(dev: number, ino: number): string;
}

/** The thread's lock file, from the process's own environment (CODEX_HOME, else ~/.codex); null when it names neither. */
export function threadLockPath(environ: string | null, thread: string): string | null {
  if (!/^[0-9A-Za-z-]+$/.test(thread)) return null;
  const userHome = environVar(environ, "HOME");
  const home = environVar(environ, "CODEX_HOME") || (userHome ? `${userHome}/.codex` : null);
  return home ? `${home}/thread-writer-locks/${thread}.lock` : null;
}

export function threadLockState(environ: string | null, thread: string, facts: LockFacts): ThreadLockState {
  const path = threadLockPath(environ, thread);
  return path === null ? "none" : lockFileState(path, facts);
}

function lockFileState(path: string, facts: LockFacts): ThreadLockState {
  let identity: { dev: number; ino: number } | null;
  try {
    identity = facts.identity(path);
  } catch {
    return "unknown";
  }
  if (identity === null) return "none";
  const holders = facts.holders();
  if (holders === null) return "unknown";
  return (holders.get(facts.key(identity.dev, identity.ino))?.length ?? 0) > 0 ? "held" : "none";
}

/** threadLockState over one set of facts, each lock file looked at once. */
export function threadLockOf(facts: LockFacts): (environ: string | null, thread: string) => ThreadLockState {
  const seen = new Map<string, ThreadLockState>();
  return (environ, thread) => {
    const path = threadLockPath(environ, thread);
    if (path === null) return "none";
    if (!seen.has(path)) seen.set(path, lockFileState(path, facts));
    return seen.get(path)!;
  };
}

/** The facts from this machine: stat, and /proc/locks read once (at first need) for the whole sweep. */
export function machineLockFacts(): LockFacts {
  let holders: ReadonlyMap<string, readonly number[]> | null | undefined;
  return {
    identity(path) {
      try {
        const { dev, ino } = nodeFs().statSync(path);
        return { dev, ino };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return null;
        throw error;
      }
    },
    holders: () => (holders === undefined ? (holders = readFlockHolders()) : holders),
    key: lockKey,
  };
}
