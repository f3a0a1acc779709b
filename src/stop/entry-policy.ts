// Which of a ledger entry's processes a stop may end, asked of the lifecycle policy at every
// poll: the group as a whole only when the policy allows every member, else one by one,
// leaving out what a keep mark covers.

import { mayEnd, type Proof, type StopPath, type Tie } from "../policy/lifecycle.ts";
import { keepMarkOf, type KeepSettings, type Markable } from "../policy/keep.ts";
import { inOwnNamespaceOnce, inRecordedNamespace } from "../entry/liveness.ts";
import { nestedWrappers } from "../ownership/nested-entry.ts";
import type { EntryProcesses, EntryRef } from "../proc/scan.ts";
import type { ProcStat } from "../proc/stat.ts";
import { readNow } from "../proc/facts.ts";

export interface EntryPolicy {
  path: StopPath;
  proof: Proof | null;
  keep: KeepSettings;
  /** The entry was started with --keep-orphaned. */
  keepOrphaned: boolean;
  /** What the entry leaves at exit stays tied to its session. */
  sessionBound: boolean;
}

export interface Endable {
  /** Every member may be ended: the group may be signalled as a whole. */
  wholeGroup: boolean;
  /** The members and carriers that may be ended. */
  processes: ProcStat[];
}

/** Paths on which a keep mark can hold: `kill` ends everything of the entry, so it reads none. */
function readsMarks(path: StopPath): boolean {
  return path !== "kill";
}

/** `stats`: the processes of the poll's scan, where the children of a nested entry's wrapper are found. */
export function endableProcesses(
  found: EntryProcesses,
  ref: EntryRef,
  policy: EntryPolicy,
  environOf: (pid: number) => string | null = readNow.environ,
  stats: readonly ProcStat[] = [],
): Endable {
  const located = [...found.members.map((p) => [p, "group"] as const), ...found.carriers.map((p) => [p, "escape"] as const)];
  const marks = readsMarks(policy.path) ? markTable(located.map(([p]) => p), environOf) : null;
  const nested = nestedWrappers(located.map(([p]) => ({ pid: p.pid, comm: p.comm, argv: () => marks?.get(p.pid)?.argv ?? readNow.cmdline(p.pid) })), stats, ref.id, environOf);
  const recordedHere = inRecordedNamespace(ref);
  const may = (proc: ProcStat, tie: Tie) =>
    mayEnd(policy.path, {
      tie,
      kept: marks ? keepMarkOf(marks.get(proc.pid)!, policy.keep, marks, undefined, true) : null,
      keepOrphaned: policy.keepOrphaned,
      otherEntry: nested.has(proc.pid),
      sessionBound: policy.sessionBound,
      sameNamespace: recordedHere === true ? inOwnNamespaceOnce(proc) : recordedHere,
      // proc/signal.ts re-reads the owner before every send and refuses another user's.
      sameUser: true,
      proof: policy.proof,
    }).end;
  const processes = located.filter(([p, tie]) => may(p, tie)).map(([p]) => p);
  const members = processes.filter((p) => found.members.includes(p));
  return { wholeGroup: found.groupProven && members.length === found.members.length, processes };
}

/** The located processes with their keep-mark facts; an ancestor outside them ends the walk. */
function markTable(procs: readonly ProcStat[], environOf: (pid: number) => string | null): Map<number, Markable> {
  const table = new Map<number, Markable>();
  for (const p of procs) table.set(p.pid, { pid: p.pid, ppid: p.ppid, pgrp: p.pgrp, comm: p.comm, argv: readNow.cmdline(p.pid), environ: environOf(p.pid) });
  return table;
}

/** The proof each of an entry's own paths acts on. */
const PROOF: Partial<Record<StopPath, Proof>> = {
  deadline: "own-entry",
  "idle-timeout": "own-entry",
  signal: "own-entry",
  "parent-died": "own-entry",
  leftovers: "own-entry",
  "session-end": "session-ending",
};

/** The policy a stop of this entry on this path applies. */
/** `asked`: the entry's command asks for SUPERVISE_KEEP=1 (asksToBeKept). */
/** `proof`: the one a path with several (kill --port) acts on. */
export function entryPolicy(path: StopPath, entry: { keepOrphaned: boolean; sessionBound: boolean; asked: boolean }, keep: KeepSettings, proof: Proof | null = PROOF[path] ?? null): EntryPolicy {
  return { path, proof, keep: { ...keep, asked: entry.asked }, keepOrphaned: entry.keepOrphaned, sessionBound: entry.sessionBound };
}
