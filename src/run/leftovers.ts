// What the command leaves running, as the wrapper finds it. The wrapper is its descendants'
// subreaper (proc/libc.ts): a process whose parent exits is reparented to the wrapper, not to
// init, so everything the command started and that still runs descends from the wrapper,
// also without its cookie (`env -i setsid server &`) and outside its group.

import { inOwnNamespaceOnce } from "../entry/liveness.ts";
import { mayEnd } from "../policy/lifecycle.ts";
import { keepMarkOf, type Markable } from "../policy/keep.ts";
import { reapZombie, releaseLibc } from "../proc/libc.ts";
import { pidsAllocatedSince } from "../proc/pid-window.ts";
import { listPids } from "../proc/read.ts";
import { findEntryProcesses, scanForEntry, type EntryRef } from "../proc/scan.ts";
import { carriesOtherCookie, isWrapper } from "../ownership/nested-entry.ts";
import { type ProcStat } from "../proc/stat.ts";
import type { EntryPolicy } from "../stop/entry-policy.ts";
import { readNow } from "../proc/facts.ts";

/** A shell's `cmd &` has a moment between its fork and its exec: a few ms, more on a loaded machine (CI once saw past 100 ms, and an exec read as unreadable, so kept). */
const FORK_EXEC_MS = 1_000;
const FORK_POLL_MS = 5;

/**
 * Until then the fork still shows the shell's command line and environment, not the ones it
 * is about to exec with (`SUPERVISE_KEEP=1 server &`): waits, at most FORK_EXEC_MS, until no
 * process of the entry runs the command's own command line, and none of the entry's or the
 * wrapper's descendants is inside its execve (an empty one, which the keep rules must protect).
 */
export async function forksExecuted(ref: EntryRef, command: readonly string[], argv: (pid: number) => readonly string[] | null = readNow.cmdline): Promise<void> {
  const pending = () => {
    const stats = scanForEntry(ref);
    const found = findEntryProcesses(ref, stats);
    return forkPending([...found.members, ...found.carriers], descendantsOf(process.pid, stats), command, argv);
  };
  for (const until = Date.now() + FORK_EXEC_MS; pending() && Date.now() < until; ) await Bun.sleep(FORK_POLL_MS);
}

/** Whether a fork has yet to exec: an entry process still runs the command's line, or any of them reads empty (mid-execve). */
export function forkPending(
  entry: readonly Pick<ProcStat, "pid" | "state">[],
  descendants: readonly Pick<ProcStat, "pid" | "state">[],
  command: readonly string[],
  argv: (pid: number) => readonly string[] | null,
): boolean {
  const own = command.join("\0");
  const live = (p: Pick<ProcStat, "state">) => p.state !== "Z" && p.state !== "X";
  const execing = (p: Pick<ProcStat, "pid" | "state">) => live(p) && argv(p.pid)?.length === 0;
  return entry.some((p) => live(p) && argv(p.pid)?.join("\0") === own) || entry.some(execing) || descendants.some(execing);
}

/** The wrapper's descendants, nearest first; `stats` are the processes that can be the command's. */
export function descendantsOf(root: number, stats: readonly ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    if (stat.pid === root) continue;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const out: ProcStat[] = [];
  const seen = new Set<number>([root]);
  for (let queue = [root]; queue.length > 0; ) {
    const next: number[] = [];
    for (const pid of queue) {
      for (const child of children.get(pid) ?? []) {
        if (seen.has(child.pid)) continue;
        seen.add(child.pid);
        out.push(child);
        next.push(child.pid);
      }
    }
    queue = next;
  }
  return out;
}

/**
 * The descendants that the entry's own lookup (its group, proven; its cookie) misses and
 * that the policy lets this stop end. A member of the command's group counts as one: being
 * our descendant proves the group ours. Keep marks are read over the whole descendant tree,
 * so that what runs under a kept process is kept too.
 */
export function adoptedEndable(ref: EntryRef, policy: EntryPolicy, stats: readonly ProcStat[] = scanForEntry(ref), self = process.pid): ProcStat[] {
  const descendants = descendantsOf(self, stats);
  if (descendants.length === 0) return [];
  const found = findEntryProcesses(ref, stats);
  return endableDescendants(descendants, new Set([...found.members, ...found.carriers].map((p) => p.pid)), ref.pgid, policy, undefined, ref.id);
}

export interface ProcFacts {
  argv: (pid: number) => readonly string[] | null;
  environ: (pid: number) => string | null;
  /** In our pid namespace: a descendant may be a namespace's init (`unshare --pid --fork`). */
  sameNamespace: (proc: ProcStat) => boolean | null;
}

/** Of the descendants, those not `covered` (the entry's own lookup finds them) that the policy lets this stop end. */
export function endableDescendants(
  descendants: readonly ProcStat[],
  covered: ReadonlySet<number>,
  pgid: number | null,
  policy: EntryPolicy,
  facts: ProcFacts = { argv: readNow.cmdline, environ: readNow.environ, sameNamespace: inOwnNamespaceOnce },
  ownId: string | null = null,
): ProcStat[] {
  const table = new Map<number, Markable>();
  for (const p of descendants) table.set(p.pid, { pid: p.pid, ppid: p.ppid, pgrp: p.pgrp, comm: p.comm, argv: facts.argv(p.pid), environ: facts.environ(p.pid) });
  // Another entry's (a nested `supervise run`: its wrapper, by command line, or what carries its
  // cookie): its own wrapper and policy decide, and so does everything below it; a process
  // may be judged only once its ancestors are ours.
  const others = new Set(descendants.filter((p) => isWrapper(p, () => table.get(p.pid)!.argv) || carriesOtherCookie(table.get(p.pid)!.environ, ownId)).map((p) => p.pid));
  const underOther = (p: ProcStat): boolean => {
    for (let q: Markable | undefined = table.get(p.pid); q; q = table.get(q.ppid)) if (others.has(q.pid)) return true;
    return false;
  };
  return descendants.filter(
    (p) =>
      !covered.has(p.pid) &&
      !underOther(p) &&
      mayEnd(policy.path, {
        tie: pgid !== null && p.pgrp === pgid ? "group" : "escape",
        kept: keepMarkOf(table.get(p.pid)!, policy.keep, table, undefined, true),
        keepOrphaned: policy.keepOrphaned,
        sessionBound: policy.sessionBound,
        sameNamespace: facts.sameNamespace(p),
        // proc/signal.ts re-reads the owner before every send and refuses another user's.
        sameUser: true,
        proof: policy.proof,
      }).end,
  );
}

/**
 * Reaps the zombies among our children, except the command itself (Bun reaps it, and needs
 * its status): an adopted process that exits stays a zombie under the wrapper until then.
 */
export function reapAdoptedZombies(ref: EntryRef, self = process.pid): number {
  const pids = (ref.since && pidsAllocatedSince(ref.since.pid, ref.since.forks)) ?? listPids();
  let reaped = 0;
  for (const pid of pids) {
    if (pid === ref.pgid) continue;
    const stat = readNow.stat(pid);
    if (stat && stat.ppid === self && stat.state === "Z" && reapZombie(pid)) reaped++;
  }
  // The call stubs are not kept for a wrapper that may wait for hours.
  releaseLibc();
  return reaped;
}
