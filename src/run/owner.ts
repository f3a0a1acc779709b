// Who owns a supervised command: the agent process that started it, with its start time,
// as the reaper later checks it (gone: the entry is owner-dead).

import type { Database } from "bun:sqlite";
import type { NewEntry } from "../ledger/entries.ts";
import { latestSession } from "../ledger/sessions.ts";
import { parseOwnerPid } from "../ownership/cookie.ts";
import { readPidNamespace } from "../proc/facts.ts";
import { readStat } from "../proc/stat.ts";

type Owner = Pick<NewEntry, "owner_pid" | "owner_start_ticks">;

/** Claude Code's own pid ($CLAUDE_PID), when it names a live process. */
export function agentOwner(env: NodeJS.ProcessEnv): Owner {
  const pid = parseOwnerPid(env.CLAUDE_PID);
  const stat = pid === null ? null : readStat(pid);
  return stat ? { owner_pid: stat.pid, owner_start_ticks: stat.startTicks } : { owner_pid: null, owner_start_ticks: null };
}

/**
 * No owner in the environment (Gemini, Codex, Claude Code before 2.1.214): the agent its
 * session's SessionStart hook recorded, when recorded in this boot and this pid namespace
 * (elsewhere its pid would name another process).
 */
export function withRecordedOwner(db: Database, entry: NewEntry): NewEntry {
  if (entry.owner_pid !== null || entry.session === null) return entry;
  const recorded = latestSession(db, entry.session, entry.boot_id);
  const namespace = recorded?.pid_namespace ?? null;
  if (!recorded || namespace === null || namespace !== readPidNamespace("self")) return entry;
  return { ...entry, owner_pid: recorded.owner_pid, owner_start_ticks: recorded.owner_start_ticks };
}
