// Who owns a supervised command: the agent process that started it, with its start time,
// as the reaper later checks it (gone: the entry is owner-dead).

import type { Database } from "bun:sqlite";
import type { NewEntry } from "../ledger/entries.ts";
import { sessionOwners } from "../ledger/sessions.ts";
import { parseOwnerPid } from "../ownership/cookie.ts";
import { ancestorsOf } from "../ownership/hook-agent.ts";
import { type StatReader } from "../proc/stat.ts";
import { readNow } from "../proc/facts.ts";

type Owner = Pick<NewEntry, "owner_pid" | "owner_start_ticks">;

const NO_OWNER: Owner = { owner_pid: null, owner_start_ticks: null };

/**
 * Claude Code's own pid ($CLAUDE_PID), when it names an ancestor of the wrapper. A shell that
 * outlived its agent still exports the variable, and after pid reuse it names an unrelated
 * process, whose exit would then make the entry owner-dead.
 */
export function agentOwner(env: NodeJS.ProcessEnv, read: StatReader = readNow.stat, self = process.pid): Owner {
  const pid = parseOwnerPid(env.CLAUDE_PID);
  if (pid === null) return NO_OWNER;
  const stat = ancestorsOf(self, read).find((p) => p.pid === pid);
  return stat ? { owner_pid: stat.pid, owner_start_ticks: stat.startTicks } : NO_OWNER;
}

/**
 * No owner in the environment (Gemini, Codex, Claude Code before 2.1.214): the agent its
 * session's SessionStart hook recorded, when recorded in this boot and this pid namespace
 * (elsewhere its pid would name another process), and when it is an ancestor of the wrapper,
 * as an owner from the environment must be: a session id typed by hand, or left in a shell
 * that outlived its agent, names no owner of ours.
 */
export function withRecordedOwner(db: Database, entry: NewEntry, read: StatReader = readNow.stat, self = process.pid): NewEntry {
  if (entry.owner_pid !== null || entry.session === null) return entry;
  const namespace = readNow.pidNamespace("self");
  const owners = sessionOwners(db, entry.session, entry.boot_id).filter((row) => row.pid_namespace !== null && row.pid_namespace === namespace);
  if (owners.length === 0) return entry;
  const ancestors = ancestorsOf(self, read);
  // A resumed session has several: ours is the one we run under.
  const owner = owners.find((row) => ancestors.some((p) => p.pid === row.owner_pid && p.startTicks === row.owner_start_ticks));
  return owner ? { ...entry, owner_pid: owner.owner_pid, owner_start_ticks: owner.owner_start_ticks } : entry;
}
