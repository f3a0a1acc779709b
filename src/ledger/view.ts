// Entries as users and scripts see them: live states and the JSON shape of the contract.

import { currentIfSame, isSameLive, type ProcessIdentity } from "../proc/identity.ts";
import type { EntryRef } from "../proc/scan.ts";
import { loadBootId, prefetchStats, readStat, readStatAsync, type ProcStat, type StatReader } from "../proc/stat.ts";
import type { EntryRow, EntryState } from "./entries.ts";
import { exitStatusOf } from "./status.ts";

export interface EntryJson {
  id: string;
  pid: number | null;
  pgid: number | null;
  wrapperPid: number;
  state: EntryState;
  exitCode: number | null;
  /** What the wrapper exited with (what `wait` returns); null while the entry runs. */
  exitStatus: number | null;
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
 *
 * Plain loops rather than filter/map on the common path: `ls` runs this once in a fresh
 * process, where an array builtin that has walked ~500 elements is JIT-compiled before it
 * goes on (JSC's compile report: 0.1-1 ms apiece on the 2-core VM, more than the loop).
 * The rare path (wrappers gone) handles few rows and keeps the shorter forms.
 */
export async function readLiveStates(rows: readonly EntryRow[]): Promise<EntryState[]> {
  const states: EntryState[] = [];
  const running: number[] = [];
  const reads: Promise<ProcStat | null>[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    states.push(row.state);
    if (row.state !== "running") continue;
    running.push(i);
    reads.push(readStatAsync(row.wrapper_pid));
  }
  if (running.length === 0) return states;
  const [wrappers] = await Promise.all([Promise.all(reads), loadBootId()]);
  const unproven: number[] = [];
  for (let k = 0; k < running.length; k++) {
    const wrapper = wrapperIdentity(rows[running[k]!]!);
    if (wrapper === null || !isSameLive(wrapper, wrappers[k]!)) unproven.push(running[k]!);
  }
  if (unproven.length === 0) return states;
  const gone = unproven.map((i) => rows[i]!);
  const leaders = await prefetchStats(gone.flatMap((row) => (row.pid === null ? [] : [row.pid])));
  liveStates(gone, leaders).forEach((state, j) => (states[unproven[j]!] = state));
  return states;
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

export function toJson(row: EntryRow, state: EntryState = row.state): EntryJson {
  return {
    id: row.id,
    pid: row.pid,
    pgid: row.pgid,
    wrapperPid: row.wrapper_pid,
    state,
    exitCode: row.exit_code,
    exitStatus: isFinished(state) ? exitStatusOf(row, state) : null,
    signal: row.end_signal,
    reason: row.reason,
    command: JSON.parse(row.command) as string[],
    cwd: row.cwd,
    session: row.session,
    name: row.name,
    // Written out rather than through a helper: `ls` converts hundreds of rows in a fresh
    // process, and a helper called three times a row was the one function JSC recompiled
    // with its optimizing tier there (0.4 ms).
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    deadlineAt: row.deadline_at === null ? null : new Date(row.deadline_at).toISOString(),
  };
}
