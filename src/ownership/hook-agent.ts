// Which process is the agent, seen from one of its hooks: the owner a session is recorded
// with. Claude Code runs a hook as `sh -c COMMAND`, a child of the CLI, and exports its own
// pid as CLAUDE_PID; other agents start the hook from the CLI process itself.

import { type ProcStat, type StatReader } from "../proc/stat.ts";
import type { AgentRow } from "./agents.ts";
import { parseOwnerPid } from "./cookie.ts";
import { readNow } from "../proc/facts.ts";

/** What may stand between an agent and its hook. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh"]);

/**
 * The agent's process: the ancestor the agent's owner-pid variable names, when it names one;
 * else the nearest ancestor that is not a shell. Null when neither can be found.
 */
export function hookAgent(row: AgentRow, env: NodeJS.ProcessEnv, read: StatReader = readNow.stat, self = process.pid): ProcStat | null {
  const named = row.ownerPidVar ? parseOwnerPid(env[row.ownerPidVar]) : null;
  const ancestors = ancestorsOf(self, read);
  if (named !== null) return ancestors.find((p) => p.pid === named) ?? null;
  return ancestors.find((p) => !SHELLS.has(p.comm)) ?? null;
}

/** Parent first, up to (not including) init; the walk ends at the first ancestor that cannot be read. */
export function ancestorsOf(pid: number, read: StatReader): ProcStat[] {
  const out: ProcStat[] = [];
  const seen = new Set<number>([pid]);
  for (let stat = read(pid); stat && stat.ppid > 1 && !seen.has(stat.ppid); ) {
    seen.add(stat.ppid);
    const parent = read(stat.ppid);
    if (!parent) break;
    out.push(parent);
    stat = parent;
  }
  return out;
}
