// Whether what a `running` ledger row names is still alive: the one place that decides it.
// The facts are the pid namespace (the one the row was recorded in?), the wrapper (the
// recorded, live process?) and the command (its first process, else any proven member or
// cookie carrier). `ls`, `show`, `wait`, `logs` and `gc` map them to a state here; the sweep
// maps the same facts to its verdicts (reap/rules.ts).

import { currentIfSame, processKey, type ProcessIdentity } from "../proc/identity.ts";
import { countAlive, findEntryProcesses, scanProcesses, type EntryProbe, type EntryRef } from "../proc/scan.ts";
import type { ProcStat, StatReader } from "../proc/stat.ts";
import type { EntryRow, EntryState } from "../ledger/entries.ts";
import { prefetchStats, readNow } from "../proc/facts.ts";

/** Where the facts come from: /proc now, or a sweep's snapshot. */
export interface LiveReader {
  stat: StatReader;
  /** Every live process, read at most once per reader. */
  scan: () => readonly ProcStat[];
  probe?: EntryProbe;
  /** The reader's own pid namespace ("pid:[...]"); null when unreadable. */
  namespace: () => string | null;
}

let ownNamespace: string | null | undefined;

/** This process's pid namespace, read once. */
export function ownPidNamespace(): string | null {
  if (ownNamespace === undefined) ownNamespace = readNow.pidNamespace("self");
  return ownNamespace;
}

/** Whether a live process is in our pid namespace: a namespace's init in our group is not (ending it ends everything in it). null: unreadable. */
export function inOwnNamespace(pid: number, own: () => string | null = ownPidNamespace): boolean | null {
  const here = own();
  const there = readNow.pidNamespace(pid);
  return here === null || there === null ? null : here === there;
}

/** A process's pid namespace never changes: read once per identity, not at every poll of a stop. */
const namespaces = new Map<string, boolean | null>();

/** inOwnNamespace of this process, read once for its identity (pid and start time). */
export function inOwnNamespaceOnce(proc: { pid: number; startTicks: number }): boolean | null {
  const key = processKey(proc);
  if (!namespaces.has(key)) namespaces.set(key, inOwnNamespace(proc.pid));
  return namespaces.get(key)!;
}

/**
 * Whether the entry's pids name the same processes here: recorded in our pid namespace, or
 * before v7 (none recorded: judged as ever). null: ours is unreadable, so nobody can tell.
 */
export function inRecordedNamespace(ref: Pick<EntryRef, "namespace">, own: () => string | null = ownPidNamespace): boolean | null {
  if (ref.namespace == null) return true;
  const here = own();
  return here === null ? null : here === ref.namespace;
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
    namespace: row.pid_namespace,
  };
}

/** The recorded wrapper is the live process; null when its identity was never recorded (unknowable). */
export function wrapperAlive(row: EntryRow, read: StatReader = readNow.stat): boolean | null {
  const wrapper = wrapperIdentity(row);
  return wrapper === null ? null : currentIfSame(wrapper, read) !== null;
}

/** Something of the command is alive: its first process settles it without a scan. */
export function commandAlive(row: EntryRow, reader: LiveReader): boolean {
  const ref = entryRef(row);
  if (ref.leader && currentIfSame(ref.leader, reader.stat)) return true;
  return countAlive(findEntryProcesses(ref, reader.scan(), reader.probe)) > 0;
}

/**
 * A `running` row as users see it: recorded in another pid namespace is `unknown` (its pids
 * name other processes here, even a pid 1 with the same start tick, so nothing here can
 * prove it alive or gone); its wrapper alive is `running`; the wrapper gone but the command
 * alive is `orphaned` (an unknown wrapper is given the benefit: `running`); nothing alive
 * with no end recorded is `lost`. Ended rows keep their recorded state.
 */
export function liveState(row: EntryRow, reader: LiveReader = liveReader()): EntryState {
  if (row.state !== "running") return row.state;
  // Whatever the boot, as the sweep judges it (reap/plan.ts): only its own wrapper, over there, can record its end.
  if (inRecordedNamespace({ namespace: row.pid_namespace }, reader.namespace) !== true) return "unknown";
  const wrapper = wrapperAlive(row, reader.stat);
  if (wrapper === true) return "running";
  if (!commandAlive(row, reader)) return "lost";
  return wrapper === null ? "running" : "orphaned";
}

/** /proc read now; the scan, when a row needs one, done once for all of them. */
export function liveReader(stat: StatReader = readNow.stat, namespace: () => string | null = ownPidNamespace): LiveReader {
  let stats: ProcStat[] | null = null;
  return { stat, scan: () => (stats ??= scanProcesses()), namespace };
}

/**
 * liveState for many rows, with their wrappers' and first processes' stat files read first,
 * in parallel on Bun's I/O threads: what `ls` runs. The reads start when this is called, so
 * a caller can work while they run.
 */
export async function readLiveStates(rows: readonly EntryRow[]): Promise<EntryState[]> {
  const running = rows.filter((row) => row.state === "running");
  if (running.length === 0) return rows.map((row) => row.state);
  const read = await prefetchStats(running.flatMap((row) => (row.pid === null ? [row.wrapper_pid] : [row.wrapper_pid, row.pid])));
  const reader = liveReader(read);
  return rows.map((row) => liveState(row, reader));
}

/** One entry's state now: as recorded once it has ended, else judged live. */
export function currentState(row: EntryRow): EntryState {
  return row.ended_at !== null ? row.state : liveState(row);
}

/** Whether an entry is over: recorded as ended, or found lost. An `unknown` one ends when its wrapper records it. */
export function isFinished(state: EntryState): boolean {
  return state !== "running" && state !== "orphaned" && state !== "unknown";
}
