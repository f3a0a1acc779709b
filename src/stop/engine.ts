// The one place that ends processes: the wrapper's deadline, signals, parent death and
// leftovers; `kill`; SessionEnd; and the reaper. A batch of targets gets the first signal
// plus SIGCONT, one grace period each (from the batch's last first signal), then SIGKILL.
// While any process an entry was last found with lives on, a poll reads only that; once none
// does, one /proc scan shared by the batch looks for what is left of it (what it forked
// meanwhile). Before SIGKILL everything found is stopped (SIGSTOP) and looked for again until
// nothing new turns up, so what a target forks meanwhile dies with it, and what the last look
// leaves out is thawed; a process target with a tree scope (the reaper's) also takes in the
// descendants it forked since the plan's scan. endBy bounds everything: the first signals,
// each poll, the freeze. Every send goes through proc/signal.ts, which re-reads the target's
// identity right before it.

import { inOwnNamespaceOnce } from "../entry/liveness.ts";
import { environVar, sessionCookieOf } from "../ownership/cookie.ts";
import { isWrapper } from "../ownership/nested-entry.ts";
import { ownKeepMark, type KeepSettings } from "../policy/keep.ts";
import { mayEnd, type Proof, type StopPath, type Tie } from "../policy/lifecycle.ts";
import { environHas, readNow } from "../proc/facts.ts";
import { currentIfSame, identityOf, processKey, type ProcessIdentity } from "../proc/identity.ts";
import {
  COOKIE,
  descendantsOf,
  findEntryProcesses,
  scanForEntry,
  scanForkedSince,
  scanProcesses,
  sharedProbe,
  type EntryProbe,
  type EntryRef,
  type ForkMark,
  type TreeRoot,
} from "../proc/scan.ts";
import { ownLineage, signalGroup, signalProcess, type GroupSend, type Lineage } from "../proc/signal.ts";
import { signalName, SIGNALS } from "../proc/signals.ts";
import { isExiting, isGone, type ProcStat } from "../proc/stat.ts";
import { endableProcesses, type EntryPolicy } from "./entry-policy.ts";

const { SIGKILL, SIGCONT, SIGSTOP } = SIGNALS;

/** gone: nothing was alive; terminated: the first signal sufficed; killed: SIGKILL was needed; failed: refused, or still alive. */
export type TerminateOutcome = "gone" | "terminated" | "killed" | "failed";

/** A process group proven ours by a scan: signalled as a whole, which reaches members forked since. */
export interface ProvenGroup {
  pgid: number;
  members: readonly ProcStat[];
}

/**
 * Which descendants of a process target join it: those forked since the plan's scan (or seen
 * by it below the target, never judged), carrying the target's cookie, that the lifecycle
 * policy lets this path end. One that does not qualify cuts off everything below it.
 */
export interface TreeScope {
  /** The target's cookie, which every member carries too: its agent session's, or its entry's SUPERVISE_ID. */
  cookie: { agent: string; session: string } | { entry: string };
  path: StopPath;
  tie: Tie;
  proof: Proof;
}

/** A ledger entry, found again at every poll; or one identified process (the reaper's, SessionEnd's). */
/**
 * A ledger entry, judged by its policy at every poll; or one identified process (a sweep's,
 * SessionEnd's) with its proven group and tree. `keep`: its own keep marks are read again
 * before every send, so a process that exec'd into a kept one (pytest) mid-stop is left.
 */
export type StopTarget =
  | { entry: EntryRef; policy: EntryPolicy }
  | { process: ProcessIdentity; group?: ProvenGroup | null; tree?: TreeScope | null; keep?: KeepSettings };

export interface StopOptions {
  signal: number;
  /** Infinity: never escalate to SIGKILL (GNU timeout's `-k 0`). */
  graceMs: number;
  /** Wall-clock time (ms) by which this stop must be over, SIGKILL's settling included. */
  endBy?: number;
  /** Called once if the grace period ran out and SIGKILL is about to be sent. */
  onEscalate?: () => void;
  /** Aborted by a second request (a second Ctrl-C): the grace period is cut short, SIGKILL included. */
  hurry?: AbortSignal;
  /** With no SIGKILL to follow, how long before the target is reported alive (UNESCALATED_WAIT_MS; tests give less). */
  unescalatedWaitMs?: number;
}

export interface Stop extends StopOptions {
  target: StopTarget;
}

export interface StopReport {
  outcome: TerminateOutcome;
  /** The last signal that reached it, by name; null when none did. */
  signal: string | null;
  /** From the first signal until it was seen gone; null when it was not. */
  durationMs: number | null;
  /** Still alive when the engine gave up on it. */
  pending: boolean;
  /** Present and true when endBy ended the stop before its own schedule (the grace, SIGKILL's settling). */
  cut?: true;
  /** Present when descendants forked since the plan's scan joined the target: how many. */
  forked?: number;
}

/** How long SIGKILL may take to show: a process in uninterruptible sleep ignores it until it wakes. */
const KILL_SETTLE_MS = 2_000;
/** Kept back from a deadline so that SIGKILL and its settling fit before it. */
const KILL_RESERVE_MS = 500;
/** With no SIGKILL to follow (a grace of 0 or none), a stop reports the target alive after this long. */
export const UNESCALATED_WAIT_MS = 10_000;
/** How long a freeze waits for SIGSTOP to show (state T) before it looks for what was forked. */
const FREEZE_SETTLE_MS = 100;
/** Freeze rounds at most: each finds what the previous round's processes forked before they stopped. */
const FREEZE_ROUNDS = 8;

/** What of a target is alive at one poll. */
interface TargetNow {
  group: ProvenGroup | null;
  /** Processes signalled one by one (cookie carriers outside the group, or the target itself). */
  processes: ProcStat[];
  alive: number;
  /** The target itself lives on, kept by a mark it took since it was planned: not ended, and not to be reported so. */
  keptNow?: boolean;
}

/** One entry of the batch: waiting out its grace, or SIGKILL's settling (twice at most). */
interface Progress {
  stage: "grace" | "kill" | "kill-again";
  until: number;
  signal: string | null;
  goneAt: number | null;
  outcome: TerminateOutcome | null;
  /** Given up on while something of it was alive. */
  pending: boolean;
  cut: boolean;
  /** What the last look found of it: an entry has not ended while any of this lives on. */
  last: TargetNow | null;
}

/** What one poll reads, shared by every target of the batch. */
interface Poll {
  stats: readonly ProcStat[] | null;
  probe: EntryProbe & { environ(pid: number): string | null };
  /** Group sends already made this poll, by signal and group: each group is signalled once. */
  groupSends: Map<string, GroupSend>;
}

export async function stopOne(target: StopTarget, options: StopOptions): Promise<TerminateOutcome> {
  return (await stopAll([{ target, ...options }]))[0]!.outcome;
}

/** Where descendants of process targets with a tree scope are looked for. */
export interface ForkedSince {
  /** Where the plan's scan began: every pid allocated after it is looked through (all of /proc when the window cannot say). */
  mark: ForkMark | null;
  /** Processes the scan saw below a target without making them targets (too young to judge): they may join too. */
  earlier: readonly number[];
  keep: KeepSettings;
}

export interface BatchOptions {
  /** How a poll reads /proc (tests count the calls). */
  scanAll?: () => readonly ProcStat[];
  /** The caller's own lineage, when it already read it (never signalled). */
  lineage?: Lineage;
  /** Without it, process targets take in no descendants. */
  forked?: ForkedSince;
}

/** One batch being stopped. */
interface Run {
  stops: readonly Stop[];
  lineage: Lineage;
  scanAll?: () => readonly ProcStat[];
  forked: ForkedSince | null;
  /** Each process target's descendants found so far, by pid. */
  trees: Map<number, ProcStat>[];
  progress: Progress[];
}

export async function stopAll(stops: readonly Stop[], options: BatchOptions = {}): Promise<StopReport[]> {
  const started = Date.now();
  const run: Run = {
    stops,
    lineage: options.lineage ?? ownLineage(),
    scanAll: options.scanAll,
    forked: options.forked ?? null,
    trees: stops.map(() => new Map()),
    progress: stops.map(() => ({ stage: "grace", until: 0, signal: null, goneAt: null, outcome: null, pending: false, cut: false, last: null })),
  };
  beginAll(run);
  const open = () => run.progress.flatMap((p, i) => (p.outcome === null ? [i] : []));
  let signalled = Date.now();
  let delay = 10;
  for (let waiting = open(); waiting.length; waiting = open()) {
    const wake = Math.min(...waiting.map((i) => Math.min(run.progress[i]!.until, endOf(stops[i]!))));
    await Bun.sleep(Math.max(1, Math.min(delay, wake - Date.now())));
    // Scanned only for the targets that need a look this round, once for them all.
    let poll: Poll | null = null;
    const due: number[] = [];
    // One clock for this poll's graces: targets of one grace come due together, however long the poll takes.
    const tick = Date.now();
    for (const i of waiting) {
      const stop = stops[i]!;
      const p = run.progress[i]!;
      // The clock is read before each target: a slow poll (hundreds of targets, a loaded machine) stops at endBy.
      if (Date.now() >= endOf(stop)) {
        due.push(i);
        continue;
      }
      if (!("entry" in stop.target && livesOn(p.last))) {
        const found = (p.last = locate(stop.target, (poll ??= newPoll(run)), run.trees[i]!));
        if (found.alive === 0) {
          p.goneAt = found.keptNow ? null : Date.now();
          p.outcome = found.keptNow ? "failed" : p.stage === "grace" ? "terminated" : "killed";
          continue;
        }
      }
      if (tick >= p.until || (p.stage === "grace" && stop.hurry?.aborted)) due.push(i);
    }
    // After SIGKILL the polls quicken again, as after the first signal.
    if (due.length && (await advanceAll(run, due))) [signalled, delay] = [Date.now(), 10];
    else delay = nextDelay(delay, Date.now() - signalled);
  }
  return run.progress.map((p, i) => {
    const report: StopReport = { outcome: p.outcome!, signal: p.signal, durationMs: p.goneAt === null ? null : p.goneAt - started, pending: p.pending };
    if (p.cut) report.cut = true;
    if (run.trees[i]!.size > 0) report.forked = run.trees[i]!.size;
    return report;
  });
}

const endOf = (stop: Stop): number => stop.endBy ?? Infinity;

/** The first signal to every target, located before anything is sent; what a process target forked since the scan gets it too. */
function beginAll(run: Run): void {
  const { stops, progress } = run;
  // Looked for, not frozen: what a TERM-ignoring target forks from here on is frozen and found before SIGKILL.
  searchTrees(run, stops.map((_, i) => i), Math.min(...stops.map(endOf)));
  const poll = newPoll(run);
  // Everything is located before anything is sent: a group send can end a later target of
  // the batch, which must then count as ended by it, not as gone before it.
  const first = stops.map((stop, i) => (Date.now() < endOf(stop) ? locate(stop.target, poll, run.trees[i]!) : null));
  const sending = Date.now();
  const signalled: number[] = [];
  stops.forEach((stop, i) => {
    const found = (progress[i]!.last = first[i] ?? null);
    if (found?.alive === 0) progress[i]!.outcome = found.keptNow ? "failed" : "gone";
    // The budget is spent before its first signal: it is reported alive, never signalled.
    else if (found === null || Date.now() >= endOf(stop)) giveUp(progress[i]!, true, true);
    else if (begin(run, i, found, poll)) signalled.push(i);
  });
  // One clock for the batch, read after its last first signal: each grace is served whole, and
  // targets of one grace come due at one poll, so they share one freeze and one SIGKILL round.
  // SIGKILL's reserve is what the first sends left: a slow batch does not eat into it.
  const now = Date.now();
  for (const i of signalled) progress[i]!.until = graceEnd(stops[i]!, now, sending);
}

/** The first signal, then SIGCONT; whether it reached anything. */
function begin(run: Run, i: number, found: TargetNow, poll: Poll): boolean {
  const stop = run.stops[i]!;
  const p = run.progress[i]!;
  const sent = sendFirst(found, stop.signal, poll, run.lineage, { target: stop.target, tree: run.trees[i]! });
  // Nothing reached: refused if anything was left to refuse, else it vanished meanwhile.
  if (sent.reached === 0) {
    p.outcome = sent.refused ? "failed" : "gone";
    return false;
  }
  p.signal = signalName(stop.signal);
  return true;
}

/** Where a grace period that begins at `now` ends: SIGKILL's reserve, reckoned from `sending`, is kept back from endBy. */
function graceEnd(stop: Stop, now: number, sending: number): number {
  const grace = Number.isFinite(stop.graceMs) ? stop.graceMs : (stop.unescalatedWaitMs ?? UNESCALATED_WAIT_MS);
  return Math.min(now + grace, endOf(stop) - killReserve(endOf(stop) - sending));
}

/**
 * Whether a process the target was last found with is still that live process: one stat read
 * each, up to the first. Only a look at all of /proc can say it ended (its forks).
 */
function livesOn(found: TargetNow | null): boolean {
  return found !== null && processesOf(found).some((proc) => currentIfSame(identityOf(proc)) !== null);
}

/** Every process of what was found: its group's members and those signalled one by one. */
function processesOf(found: TargetNow): ProcStat[] {
  return [...(found.group?.members ?? []), ...found.processes];
}

/** Polls quicken after each signal (most commands end within a second of theirs), then ease off: every wake costs Bun CPU. */
function nextDelay(delay: number, sinceSignalMs: number): number {
  return Math.min(delay * 2, sinceSignalMs < 1_000 ? 50 : 100);
}

/** Kept back for SIGKILL and its settling: at most KILL_RESERVE_MS, and never more than half of what is left. */
function killReserve(leftMs: number): number {
  return Math.min(KILL_RESERVE_MS, Math.max(0, leftMs) / 2);
}

/** Given up: failed; pending when something of it was still alive. */
function giveUp(p: Progress, alive: boolean, cut: boolean): void {
  p.outcome = "failed";
  p.pending = alive;
  p.cut ||= cut;
}

/**
 * The targets whose grace or settling ran out (or whose endBy came): no SIGKILL to follow or
 * a second settling over, they failed; else everything of them is frozen, found again, and
 * sent SIGKILL together. Whether any was.
 */
async function advanceAll(run: Run, due: readonly number[]): Promise<boolean> {
  const kill: number[] = [];
  for (const i of due) {
    const stop = run.stops[i]!;
    const p = run.progress[i]!;
    const escalates = Number.isFinite(stop.graceMs) || stop.hurry?.aborted;
    const late = Date.now() >= endOf(stop);
    // At endBy a target still in its grace gets its SIGKILL; one that already had it is given up on.
    if (p.stage === "kill-again" || (p.stage === "grace" && !escalates) || (p.stage === "kill" && late)) giveUp(p, true, late);
    else kill.push(i);
  }
  if (kill.length === 0) return false;
  for (const i of kill) if (run.progress[i]!.stage === "grace") run.stops[i]!.onEscalate?.();
  // Stopped, nothing of them can fork between the last look and SIGKILL; each round of the
  // freeze finds what the previous round's processes forked before their stop took hold.
  const frozen = await freeze(run, kill);
  const now = Date.now();
  for (const i of kill) {
    const stop = run.stops[i]!;
    const p = run.progress[i]!;
    const found = (p.last = frozen.found.get(i)!);
    if (found.alive === 0) {
      p.goneAt = found.keptNow ? null : now;
      p.outcome = found.keptNow ? "failed" : p.stage === "grace" ? "terminated" : "killed";
      continue;
    }
    if (send(found, SIGKILL, frozen.poll, run.lineage).reached > 0) p.signal = signalName(SIGKILL);
    for (const proc of processesOf(found)) frozen.stopped.delete(processKey(proc));
    p.stage = p.stage === "grace" ? "kill" : "kill-again";
    p.until = Math.min(now + KILL_SETTLE_MS, endOf(stop));
    if (now >= endOf(stop)) giveUp(p, true, true);
  }
  // What SIGSTOP reached and the last look then left out of SIGKILL (a keep mark it took
  // meanwhile, an exec into a protected command) is thawed, not left stopped for ever.
  for (const identity of frozen.stopped.values()) signalProcess(identity, SIGCONT, run.lineage);
  return true;
}

/** The targets as a freeze last found them, in its last poll, and every process it stopped. */
interface Frozen {
  found: Map<number, TargetNow>;
  poll: Poll;
  /** By pid and start tick. */
  stopped: Map<string, ProcessIdentity>;
}

/**
 * SIGSTOP to everything of the targets, then look again (the entry scan, the tree search)
 * and stop what is new, until a look finds nothing new, FREEZE_ROUNDS pass, or the earliest
 * endBy comes.
 */
async function freeze(run: Run, indices: readonly number[]): Promise<Frozen> {
  const endBy = Math.min(...indices.map((i) => endOf(run.stops[i]!)));
  const stopped = new Map<string, ProcessIdentity>();
  let { found, poll } = relocate(run, indices, endBy);
  const isFresh = (proc: ProcStat) => !stopped.has(processKey(proc));
  // Past endBy there is no time to look again: SIGKILL goes to what this look found.
  for (let round = 0; round < FREEZE_ROUNDS && Date.now() < endBy; round++) {
    const fresh: ProcessIdentity[] = [];
    for (const f of found.values()) {
      const members = f.group?.members.filter(isFresh) ?? [];
      const processes = f.processes.filter(isFresh);
      // The group as a whole each round (it reaches members forked since), each process once.
      send({ group: f.group, processes, alive: 0 }, SIGSTOP, poll, run.lineage);
      for (const proc of [...members, ...processes]) {
        if (!isFresh(proc)) continue;
        fresh.push(identityOf(proc));
        stopped.set(processKey(proc), identityOf(proc));
      }
    }
    if (fresh.length === 0) break;
    // Near endBy the wait for SIGSTOP to show must leave SIGKILL time to act.
    await settled(fresh, Date.now() + Math.min(FREEZE_SETTLE_MS, (endBy - Date.now()) / 3));
    if (Date.now() >= endBy) break;
    ({ found, poll } = relocate(run, indices, endBy));
  }
  return { found, poll, stopped };
}

/** Until every process shows stopped (or gone), or until. */
async function settled(procs: readonly ProcessIdentity[], until: number): Promise<void> {
  let waiting = procs;
  for (;;) {
    waiting = waiting.filter((identity) => {
      const stat = readNow.stat(identity.pid);
      return stat !== null && stat.startTicks === identity.startTicks && !isGone(stat) && stat.state !== "T" && stat.state !== "t";
    });
    if (waiting.length === 0 || Date.now() >= until) return;
    await Bun.sleep(1);
  }
}

/** The targets found again in a fresh poll, their trees searched first. */
function relocate(run: Run, indices: readonly number[], endBy: number): { found: Map<number, TargetNow>; poll: Poll } {
  searchTrees(run, indices, endBy);
  const poll = newPoll(run);
  return { found: new Map(indices.map((i) => [i, locate(run.stops[i]!.target, poll, run.trees[i]!)])), poll };
}

function hasTree(run: Run, target: StopTarget): target is { process: ProcessIdentity; group?: ProvenGroup | null; tree: TreeScope } {
  return run.forked !== null && "process" in target && target.tree != null;
}

/**
 * Adds to each tree what descends from its target or a member found earlier: by parent chain,
 * among the pids allocated since the plan's scan and the processes it saw below a target.
 */
function searchTrees(run: Run, indices: readonly number[], endBy: number): void {
  const forked = run.forked;
  const scoped = indices.filter((i) => hasTree(run, run.stops[i]!.target));
  if (forked === null || scoped.length === 0 || Date.now() >= endBy) return;
  const roots = new Map<number, TreeRoot<number>>();
  for (const i of scoped) {
    const target = run.stops[i]!.target as { process: ProcessIdentity };
    for (const identity of [target.process, ...[...run.trees[i]!.values()].map(identityOf)]) {
      const now = currentIfSame(identity);
      if (now) roots.set(now.pid, { stat: now, owner: i });
    }
  }
  if (roots.size === 0) return;
  // Every other target of the batch, and what joined it, is stopped on its own: what is below it is not another's.
  const others = new Set(run.stops.flatMap((s, i) => ("process" in s.target ? [s.target.process.pid, ...run.trees[i]!.keys()] : [])));
  const candidates = scanForkedSince(forked.mark, forked.earlier, endBy).filter((p) => roots.has(p.pid) || !others.has(p.pid));
  const admit = (proc: ProcStat, owner: number) => Date.now() < endBy && admits(run.stops[owner]!.target as { tree: TreeScope }, forked.keep, proc);
  for (const [pid, { proc, owner }] of descendantsOf(roots, candidates, admit)) run.trees[owner]!.set(pid, proc);
}

/** Whether a descendant may join its target's tree: it carries the target's cookie and nothing keeps it. */
function admits(target: { tree: TreeScope }, keep: KeepSettings, proc: ProcStat): boolean {
  const { cookie, path, tie, proof } = target.tree;
  const environ = readNow.environ(proc.pid);
  if (environ === null) return false;
  if ("entry" in cookie) {
    if (!environHas(environ, COOKIE, cookie.entry)) return false;
  } else {
    const carried = sessionCookieOf(environ);
    if (carried?.agent !== cookie.agent || carried.session !== cookie.session) return false;
    // A process of a ledger entry belongs to that entry, and what is below it too.
    if (environVar(environ, COOKIE)) return false;
  }
  const argv = readNow.cmdline(proc.pid);
  const kept = ownKeepMark({ pid: proc.pid, ppid: proc.ppid, comm: proc.comm, argv, environ }, keep);
  // What joins a tree is judged in our namespace (a namespace's init below a target is not ours), and a nested entry's wrapper is its own.
  return mayEnd(path, { tie, kept, keepOrphaned: false, otherEntry: isWrapper(proc, () => argv), sameNamespace: inOwnNamespaceOnce(proc), sameUser: readNow.uid(proc.pid) === process.getuid!(), proof }).end;
}

// A lone entry (the wrapper's) reads only the pids allocated since it started; process targets need no scan.
function newPoll(run: Pick<Run, "stops" | "scanAll">): Poll {
  return pollFor(run.stops.map((s) => s.target), run.scanAll);
}

function pollFor(targets: readonly StopTarget[], scanAll: () => readonly ProcStat[] = scanProcesses): Poll {
  const entries = targets.filter((t) => "entry" in t).length;
  return { stats: entries > 1 ? scanAll() : null, probe: sharedProbe(), groupSends: new Map() };
}

function locate(target: StopTarget, poll: Poll, tree: ReadonlyMap<number, ProcStat> = new Map()): TargetNow {
  if ("entry" in target) {
    const stats = poll.stats ?? scanForEntry(target.entry);
    const found = findEntryProcesses(target.entry, stats, poll.probe);
    const endable = endableProcesses(found, target.entry, target.policy, poll.probe.environ, stats);
    // What the policy keeps is neither signalled nor waited for.
    if (!endable.wholeGroup) return { group: null, processes: endable.processes, alive: endable.processes.length };
    const group = target.entry.pgid !== null ? { pgid: target.entry.pgid, members: found.members } : null;
    return { group, processes: found.carriers.filter((c) => endable.processes.includes(c)), alive: endable.processes.length };
  }
  const found = currentIfSame(target.process);
  const keptNow = found !== null && target.keep !== undefined && markedNow(found, target.keep);
  const self = keptNow ? null : found;
  const processes = self ? [self] : [];
  for (const member of tree.values()) {
    const now = currentIfSame(identityOf(member));
    if (now && !(target.keep && markedNow(now, target.keep))) processes.push(now);
  }
  return { group: keptNow ? null : (target.group ?? null), processes, alive: processes.length, keptNow };
}

/**
 * Its own keep mark, read now. A process that is exiting (just signalled) has lost its memory,
 * so its marks read as unreadable, which would keep it: it is no keep. Nor is one that ended
 * between the stat that found it alive and the reads: a mark counts only while it still lives.
 */
function markedNow(stat: ProcStat, keep: KeepSettings): boolean {
  if (isExiting(stat)) return false;
  const marked = ownKeepMark({ pid: stat.pid, ppid: stat.ppid, comm: stat.comm, argv: readNow.cmdline(stat.pid), environ: readNow.environ(stat.pid) }, keep) !== null;
  return marked && currentIfSame(identityOf(stat)) !== null;
}

interface Sent {
  reached: number;
  refused: boolean;
  /** Members the group send did not reach: they had left the group. */
  left: ProcStat[];
}

/** The target that was found, to look for it again: what left its group as the first signal went out. */
interface Again {
  target: StopTarget;
  tree?: ReadonlyMap<number, ProcStat>;
}

/**
 * The first signal, then SIGCONT. Members that left the group between the look and the group
 * send (a `setsid` starting up) were not reached by it: found again, and judged as what they
 * are now (an escape, whose keep marks hold), they get it too. Else the target read as gone
 * while they lived on.
 */
function sendFirst(found: TargetNow, signal: number, poll: Poll, lineage: Lineage, again?: Again): Sent {
  const sent = send(found, signal, poll, lineage);
  if (sent.reached > 0 && signal !== SIGKILL && signal !== SIGCONT) send(found, SIGCONT, poll, lineage);
  if (sent.left.length === 0 || again === undefined) return sent;
  const keys = new Set(sent.left.map(processKey));
  const fresh = pollFor([again.target]);
  const leavers = locate(again.target, fresh, again.tree).processes.filter((proc) => keys.has(processKey(proc)));
  const more = sendFirst({ group: null, processes: leavers, alive: leavers.length }, signal, fresh, lineage);
  return { reached: sent.reached + more.reached, refused: sent.refused || more.refused, left: [] };
}

/** One signal to what was found: the group as a whole, then each process the group send did not reach. */
function send(found: TargetNow, signal: number, poll: Poll, lineage: Lineage): Sent {
  let reached = 0;
  let refused = false;
  let left: ProcStat[] = [];
  const inGroup = new Set<string>();
  if (found.group) {
    const key = `${signal}:${found.group.pgid}`;
    const group = poll.groupSends.get(key) ?? signalGroup(found.group.pgid, found.group.members, signal, lineage);
    poll.groupSends.set(key, group);
    left = group.left;
    if (group.result === "sent") {
      reached++;
      for (const member of found.group.members) inGroup.add(processKey(member));
    } else if (group.result === "refused") refused = true;
  }
  for (const proc of found.processes) {
    // Already reached through its group: a second send would race its death.
    if (inGroup.has(processKey(proc))) continue;
    const result = signalProcess(identityOf(proc), signal, lineage);
    if (result === "sent") reached++;
    else if (result === "refused") refused = true;
  }
  return { reached, refused, left };
}

/** One signal to an entry's processes, no waiting (the wrapper forwarding a signal); how many sends went out. */
export function signalEntry(ref: EntryRef, policy: EntryPolicy, signal: number, lineage = ownLineage()): number {
  const target = { entry: ref, policy };
  const poll = pollFor([target]);
  return send(locate(target, poll), signal, poll, lineage).reached;
}

/** Each target's first signal (and SIGCONT), no waiting: SessionEnd's hook, whose budget is milliseconds. One scan serves them all. */
export function signalFirst(stops: readonly Pick<Stop, "target" | "signal">[], lineage = ownLineage()): number {
  const poll = pollFor(stops.map((s) => s.target));
  const found = stops.map((s) => locate(s.target, poll));
  return stops.filter((s, i) => sendFirst(found[i]!, s.signal, poll, lineage, { target: s.target }).reached > 0).length;
}
