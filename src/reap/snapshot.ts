// One pass over /proc for the reaper. Cheap facts (stat) for every process; the owner, the
// command line and the environment only for the processes a rule can reach (reading them
// for everything costs tens of milliseconds on a busy machine):
// - processes named like a target (rg, shells), and systemd (to find `systemd --user`);
// - same-user processes young enough to carry a running entry's cookie;
// - the session scope, where a dead session's leftovers live: same-user orphans, and below an
//   orphan that carries a session's cookie, its children that carry the same session's cookie
//   (a leaked tree: npm -> node -> esbuild). A live agent's own children are not in it: their
//   parent is the agent, which is not a leftover of its own session.

import { sessionCookieOf } from "../ownership/cookie.ts";
import { CLOCK_TICKS_PER_SECOND, uptimeTicks } from "../proc/boot.ts";
import { listPids } from "../proc/read.ts";
import { COOKIE, forkMark, type ForkMark } from "../proc/scan.ts";
import { isGone, isKernelThread, type ProcStat } from "../proc/stat.ts";
import type { ProcInfo } from "../ownership/process-table.ts";
import { readInBatch, readNow } from "../proc/facts.ts";

export interface Snapshot {
  procs: ProcInfo[];
  nowTicks: number;
  subreapers: Set<number>;
  /** Listed pids whose stat could not be read: nothing is known of them. */
  unreadable: Set<number>;
  /** Where the scan began in pid space: what was forked after it, the snapshot does not hold. */
  mark: ForkMark | null;
}

/** The scan ran past its deadline: nothing of it may be acted on. */
export class ScanOverBudget extends Error {
  constructor(listed: number) {
    super(`the /proc scan of ${listed} processes did not finish in time`);
    this.name = "ScanOverBudget";
  }
}

export interface SnapshotNeeds {
  ownUid: number;
  /** Process names whose command line and environment the rules need. */
  names: ReadonlySet<string>;
  /** Environments of same-user processes started at or after this tick are read for cookies; null: none. */
  cookiesSinceTicks: number | null;
  /** Read the session scope (orphans and their descendants); off, the snapshot is the seed's. */
  sessionScope?: boolean;
  /** Every same-user process's owner, command line and environment (`supervise ps`). */
  everyProcessOfUser?: boolean;
  /** Process groups of running entries: their members' command lines decide what keep marks hold. */
  groups?: ReadonlySet<number>;
  /** Further processes whose command lines the rules need (running entries' wrappers). */
  pids?: ReadonlySet<number>;
  /** Wall-clock time (ms) by which the scan must be over; past it, takeSnapshot throws ScanOverBudget. */
  endBy?: number;
  /**
   * What earlier snapshots read of each process that does not change while it lives (its
   * owner, command line, environment, pid namespace), for a caller that looks again and again
   * (`top`). A sweep passes none: it reads everything fresh, as it acts on it.
   */
  memo?: SnapshotMemo;
}

/** Per process (pid, start tick and comm), the facts read once. */
export type SnapshotMemo = Map<string, MemoFacts>;

interface MemoFacts {
  uid?: number | null;
  argv?: string[] | null;
  environ?: string | null;
  namespace?: string | null;
}

type MemoRead = <K extends keyof MemoFacts>(stat: ProcStat, key: K, read: () => Promise<Exclude<MemoFacts[K], undefined>>) => Promise<Exclude<MemoFacts[K], undefined>>;

/** Reads through the memo: a process's earlier answer, else a fresh one, kept; with none, always fresh. */
function memoReader(memo: SnapshotMemo | undefined, nowTicks: number): MemoRead {
  return async (stat, key, read) => {
    // A process younger than a second may not have exec'd yet: what it shows is its parent's.
    if (!memo || stat.startTicks > nowTicks - CLOCK_TICKS_PER_SECOND) return read();
    const id = memoKey(stat);
    let facts = memo.get(id);
    if (!facts) memo.set(id, (facts = {}));
    const known = facts[key];
    if (known !== undefined) return known as never;
    const value = await read();
    facts[key] = value;
    return value;
  };
}

/** A process is known by its pid and start tick; an execve keeps both but brings a new command line and environment, and a new comm and stack. */
function memoKey(stat: ProcStat): string {
  return `${stat.pid}:${stat.startTicks}:${stat.comm}:${stat.startStack ?? ""}`;
}

/** The memo without the processes this snapshot did not see: they are gone (or exec'd). */
function pruneMemo(memo: SnapshotMemo | undefined, stats: readonly ProcStat[]): void {
  if (!memo) return;
  const live = new Set(stats.map(memoKey));
  for (const id of memo.keys()) if (!live.has(id)) memo.delete(id);
}

export async function takeSnapshot(needs: SnapshotNeeds, listed?: readonly number[]): Promise<Snapshot> {
  // Read before listing: every pid allocated after the mark may be missing from the listing.
  const mark = forkMark();
  const pids = listed ?? listPids();
  const reads = readsUntil(needs.endBy, pids.length);
  const stats: ProcStat[] = [];
  const unreadable = new Set<number>();
  // Thousands of small reads go faster in parallel on Bun's I/O threads than one by one.
  const read = await reads.all(pids, readInBatch.stat);
  pids.forEach((pid, i) => {
    const stat = read[i]!;
    if (stat) stats.push(stat);
    else unreadable.add(pid);
  });
  const subreapers = new Set<number>();
  for (const stat of stats) {
    if (stat.comm === "systemd" && !isKernelThread(stat) && readNow.cmdline(stat.pid)?.includes("--user")) subreapers.add(stat.pid);
  }
  pruneMemo(needs.memo, stats);
  const memoize = memoReader(needs.memo, uptimeTicks());
  const scope = needs.sessionScope ? await sessionScope(stats, subreapers, needs.ownUid, reads, memoize) : new Map<number, Scoped>();
  const ownNamespace = readNow.pidNamespace("self");

  const wants = stats.map((stat): Want => {
    const kernel = isKernelThread(stat);
    const named = needs.names.has(stat.comm) || stat.comm === "systemd" || needs.everyProcessOfUser === true;
    const cookieAge = needs.cookiesSinceTicks !== null && stat.startTicks >= needs.cookiesSinceTicks;
    return { stat, kernel, live: !isGone(stat), named, cookieAge, scoped: scope.get(stat.pid) };
  });
  // The owner only for processes a rule can reach; the rest stay "unknown", never targets.
  const uids = await reads.all(wants, (w) => (w.scoped ? needs.ownUid : w.kernel || !(w.named || w.cookieAge) ? null : memoize(w.stat, "uid", () => readInBatch.uid(w.stat.pid))));
  const procs = await reads.all(wants, (w, i): ProcInfo | Promise<ProcInfo> => {
    const { stat, kernel, live, named, cookieAge, scoped } = w;
    const uid = uids[i]!;
    const mine = uid === needs.ownUid;
    // In the scope, only a cookie makes the command line (protect, sessionKeep) and the pid namespace (the owner proof) matter.
    const inGroup = mine && live && ((cookieAge && needs.groups?.has(stat.pgrp) === true) || needs.pids?.has(stat.pid) === true);
    const reading: Reading = { uid, mine, inGroup, argv: !kernel && live && (named || scoped?.cookie === true || inGroup), environ: mine && live && (named || cookieAge) };
    // Most processes: nothing beyond their stat is read.
    if (!scoped && !reading.argv && !reading.environ) return { ...stat, kernel, uid, argv: null, environ: null };
    return readFacts(w, reading, memoize, ownNamespace);
  });
  reads.check();
  return { procs, nowTicks: uptimeTicks(), subreapers, unreadable, mark };
}

/** One process as the snapshot first sees it: its stat, and what makes a rule reach it. */
interface Want {
  stat: ProcStat;
  kernel: boolean;
  live: boolean;
  /** Named like a target (or everything is wanted). */
  named: boolean;
  /** Young enough to carry a running entry's cookie. */
  cookieAge: boolean;
  scoped: Scoped | undefined;
}

/** What is read of a process a rule can reach: its command line, its environment (unless the scope has it). */
interface Reading {
  uid: number | null;
  mine: boolean;
  /** Of a running entry's group, or its wrapper. */
  inGroup: boolean;
  argv: boolean;
  environ: boolean;
}

async function readFacts(w: Want, reading: Reading, memoize: MemoRead, ownNamespace: string | null): Promise<ProcInfo> {
  const { stat, kernel, live, scoped } = w;
  const { uid, mine, inGroup } = reading;
  const cmdline = () => memoize(stat, "argv", () => readInBatch.cmdline(stat.pid));
  const [argv0, environ] = await Promise.all([
    reading.argv ? cmdline() : null,
    scoped ? scoped.environ : reading.environ ? memoize(stat, "environ", () => readInBatch.environ(stat.pid)) : null,
  ]);
  // An entry's escape (its SUPERVISE_ID) is judged by its command line too: protect holds for every target.
  const argv = argv0 === null && !kernel && live && environ !== null && environ.includes(`${COOKIE}=`) ? await cmdline() : argv0;
  const proc: ProcInfo = { ...stat, kernel, uid, argv, environ };
  // The owner proof of a process with a cookie: its pids are read in its own namespace. Another
  // user's is never one. A target's namespace is asked by the plan (ending a namespace's init
  // ends everything in it), so that of a process no rule ends is never read.
  if (live && argv !== null && (mine || scoped) && (inGroup || carriesAnyCookie(environ))) {
    const namespace = await memoize(stat, "namespace", () => readInBatch.pidNamespace(stat.pid));
    proc.sameNamespace = namespace === null || ownNamespace === null ? null : namespace === ownNamespace;
  }
  if (scoped) proc.inSessionScope = true;
  return proc;
}

/** It carries an agent session's cookie or an entry's SUPERVISE_ID. */
function carriesAnyCookie(environ: string | null): boolean {
  return environ !== null && (environ.includes(`${COOKIE}=`) || sessionCookieOf(environ) !== null);
}

interface Reads {
  /** Throws ScanOverBudget once the deadline has passed. */
  check(): void;
  /** Every item read in parallel; past the deadline, ScanOverBudget instead of the answers. */
  all<T, R>(items: readonly T[], read: (item: T, index: number) => R | Promise<R>): Promise<R[]>;
}

/**
 * Parallel reads that give up at the deadline: a scan under load stops then instead of running
 * on. The reads still in flight finish unheard (each one answers null on failure, never throws).
 */
function readsUntil(endBy: number | undefined, listed: number): Reads {
  const check = () => {
    if (endBy !== undefined && Date.now() >= endBy) throw new ScanOverBudget(listed);
  };
  return {
    check,
    async all(items, read) {
      const answers = Promise.all(items.map(read));
      if (endBy === undefined) return answers;
      check();
      let timer: Timer | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ScanOverBudget(listed)), endBy - Date.now());
      });
      try {
        return await Promise.race([answers, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

interface Scoped {
  environ: string | null;
  /** It carries a session cookie. */
  cookie: boolean;
}

/**
 * Same-user orphans (parent pid 1 or a `systemd --user`), and the same-session cookie chains
 * below them, with their environments; read a generation at a time, in parallel.
 */
async function sessionScope(stats: readonly ProcStat[], subreapers: ReadonlySet<number>, ownUid: number, reads: Reads, memoize: MemoRead): Promise<Map<number, Scoped>> {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const list = children.get(stat.ppid);
    if (list) list.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  const scope = new Map<number, Scoped>();
  const candidate = (stat: ProcStat) => stat.pid > 1 && !isKernelThread(stat) && !isGone(stat) && !scope.has(stat.pid);
  // Each generation: its owners and environments; a child joins when it carries its parent's session.
  let generation = stats.filter((stat) => (stat.ppid === 1 || subreapers.has(stat.ppid)) && candidate(stat)).map((stat) => ({ stat, session: null as string | null }));
  while (generation.length) {
    const read = await reads.all(generation, async ({ stat }) => ({
      uid: await memoize(stat, "uid", () => readInBatch.uid(stat.pid)),
      environ: await memoize(stat, "environ", () => readInBatch.environ(stat.pid)),
    }));
    const next: typeof generation = [];
    generation.forEach(({ stat, session: parentSession }, i) => {
      const { uid, environ } = read[i]!;
      // Another user's process is not ours to reach, nor (through it) anything below it.
      if (uid !== ownUid || scope.has(stat.pid)) return;
      const session = sessionCookieOf(environ)?.session ?? null;
      if (parentSession !== null && session !== parentSession) return;
      scope.set(stat.pid, { environ, cookie: session !== null });
      if (session === null) return;
      for (const child of children.get(stat.pid) ?? []) if (candidate(child)) next.push({ stat: child, session });
    });
    generation = next;
  }
  return scope;
}
