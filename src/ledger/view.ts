// Entries as users and scripts see them: live states and the JSON shape of the contract.

import { currentIfSame, type ProcessIdentity } from "../proc/identity.ts";
import type { EntryRef } from "../proc/scan.ts";
import { loadBootId, prefetchStats, readStat, type ProcStat, type StatReader } from "../proc/stat.ts";
import type { EntryRow, EntryState } from "./entries.ts";

export interface EntryJson {
  id: string;
  pid: number | null;
  pgid: number | null;
  wrapperPid: number;
  state: EntryState;
  exitCode: number | null;
  signal: string | null;
  reason: string | null;
  command: string[];
  cwd: string;
  session: string | null;
  name: string | null;
  startedAt: string;
  endedAt: string | null;
  deadlineAt: string | null;
}

export function wrapperIdentity(row: EntryRow): ProcessIdentity | null {
  return row.wrapper_start_ticks === null ? null : { bootId: row.boot_id, pid: row.wrapper_pid, startTicks: row.wrapper_start_ticks };
}

export function entryRef(row: EntryRow): EntryRef {
  return {
    id: row.id,
    pgid: row.pgid,
    leader: row.pid !== null && row.start_ticks !== null ? { bootId: row.boot_id, pid: row.pid, startTicks: row.start_ticks } : null,
    sinceTicks: row.wrapper_start_ticks ?? row.start_ticks ?? 0,
  };
}

/**
 * A stored `running` row is checked against /proc: wrapper gone but processes alive is
 * `orphaned`; wrapper and processes gone with no end recorded is `lost`.
 */
export function liveStates(rows: readonly EntryRow[], read: StatReader = readStat): EntryState[] {
  let stats: ProcStat[] | null = null;
  return rows.map((row) => {
    if (row.state !== "running") return row.state;
    if (wrapperRunning(row, read)) return "running";
    const ref = entryRef(row);
    // The command's first process still alive settles it without a scan of /proc.
    if (ref.leader && currentIfSame(ref.leader, read)) return "orphaned";
    // Rare (the wrapper and the first process both gone), so the scan's code is loaded here.
    const { countAlive, findEntryProcesses, scanProcesses } = require("../proc/scan.ts") as typeof import("../proc/scan.ts");
    stats ??= scanProcesses();
    return countAlive(findEntryProcesses(ref, stats)) > 0 ? "orphaned" : "lost";
  });
}

/**
 * liveStates with the /proc files read first, in parallel and without node:fs: what `ls`
 * runs. The reads start when this is called, so a caller can work while they run. Each
 * wrapper is checked once; only rows whose wrapper is gone go on to their command's first
 * process (a second, usually empty, round) and, when that is gone too, a scan of /proc.
 */
export async function readLiveStates(rows: readonly EntryRow[]): Promise<EntryState[]> {
  const running = rows.filter((row) => row.state === "running");
  if (running.length === 0) return rows.map((row) => row.state);
  const [wrappers] = await Promise.all([prefetchStats(running.map((row) => row.wrapper_pid)), loadBootId()]);
  const unproven = running.filter((row) => !wrapperRunning(row, wrappers));
  if (unproven.length === 0) return rows.map((row) => row.state);
  const leaders = await prefetchStats(unproven.flatMap((row) => (row.pid === null ? [] : [row.pid])));
  const judged = liveStates(unproven, (pid) => wrappers(pid) ?? leaders(pid));
  const settled = new Map(unproven.map((row, i) => [row, judged[i]!]));
  return rows.map((row) => settled.get(row) ?? row.state);
}

/** Whether the entry's wrapper is still the recorded, live process. */
export function wrapperRunning(row: EntryRow, read: StatReader = readStat): boolean {
  const wrapper = wrapperIdentity(row);
  return wrapper !== null && currentIfSame(wrapper, read) !== null;
}

/** One entry's state now: as recorded once it has ended, else judged live. */
export function currentState(row: EntryRow): EntryState {
  return row.ended_at !== null ? row.state : liveStates([row])[0]!;
}

/** Whether an entry is over: recorded as ended, or found lost. */
export function isFinished(state: EntryState): boolean {
  return state !== "running" && state !== "orphaned";
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toJson(row: EntryRow, state: EntryState = row.state): EntryJson {
  return {
    id: row.id,
    pid: row.pid,
    pgid: row.pgid,
    wrapperPid: row.wrapper_pid,
    state,
    exitCode: row.exit_code,
    signal: row.end_signal,
    reason: row.reason,
    command: JSON.parse(row.command) as string[],
    cwd: row.cwd,
    session: row.session,
    name: row.name,
    startedAt: iso(row.started_at)!,
    endedAt: iso(row.ended_at),
    deadlineAt: iso(row.deadline_at),
  };
}
