// The one place that ends processes: the wrapper's deadline, signals, parent death and
// leftovers; `kill`; SessionEnd; and the reaper. A batch of targets gets the first signal
// plus SIGCONT, one grace period each, then SIGKILL, with one /proc scan per poll shared
// by the whole batch. Every send goes through proc/signal.ts, which re-reads the target's
// identity right before it.

import { currentIfSame, identityOf, type ProcessIdentity } from "../proc/identity.ts";
import { findEntryProcesses, scanForEntry, scanProcesses, sharedProbe, type EntryProbe, type EntryRef } from "../proc/scan.ts";
import { ownLineage, signalGroup, signalProcess, type Lineage, type SendResult } from "../proc/signal.ts";
import { signalName, SIGNALS } from "../proc/signals.ts";
import type { ProcStat } from "../proc/stat.ts";
import { endableProcesses, type EntryPolicy } from "./entry-policy.ts";

const { SIGKILL, SIGCONT } = SIGNALS;

/** gone: nothing was alive; terminated: the first signal sufficed; killed: SIGKILL was needed; failed: refused, or still alive. */
export type TerminateOutcome = "gone" | "terminated" | "killed" | "failed";

/** A process group proven ours by a scan: signalled as a whole, which reaches members forked since. */
export interface ProvenGroup {
  pgid: number;
  members: readonly ProcStat[];
}

/** A ledger entry, found again at every poll; or one identified process (the reaper's, SessionEnd's). */
export type StopTarget = { entry: EntryRef; policy: EntryPolicy } | { process: ProcessIdentity; group?: ProvenGroup | null };

export interface StopOptions {
  signal: number;
  /** Infinity: never escalate to SIGKILL (GNU timeout's `-k 0`). */
  graceMs: number;
  /** Wall-clock time (ms) by which this stop must be over, SIGKILL's settling included. */
  endBy?: number;
  /** Called once if the grace period ran out and SIGKILL is about to be sent. */
  onEscalate?: () => void;
  /** A second request can cut the grace period short (a second Ctrl-C), SIGKILL included. */
  hurry?: { now: boolean };
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
}

/** How long SIGKILL may take to show: a process in uninterruptible sleep ignores it until it wakes. */
const KILL_SETTLE_MS = 2_000;
/** Kept back from a deadline so that SIGKILL and its settling fit before it. */
const KILL_RESERVE_MS = 500;
/** With no SIGKILL to follow (a grace of 0 or none), a stop reports the target alive after this long. */
export const UNESCALATED_WAIT_MS = 10_000;

/** What of a target is alive at one poll. */
interface Found {
  group: ProvenGroup | null;
  /** Processes signalled one by one (cookie carriers outside the group, or the target itself). */
  processes: ProcStat[];
  alive: number;
}

/** One entry of the batch: waiting out its grace, or SIGKILL's settling (twice at most). */
interface Progress {
  stage: "grace" | "kill" | "kill-again";
  until: number;
  signal: string | null;
  goneAt: number | null;
  outcome: TerminateOutcome | null;
}

/** What one poll reads, shared by every target of the batch. */
interface Poll {
  stats: readonly ProcStat[] | null;
  probe: EntryProbe & { environ(pid: number): string | null };
  /** Group sends already made this poll, by signal and group: each group is signalled once. */
  groupSends: Map<string, SendResult>;
}

export async function stopOne(target: StopTarget, options: StopOptions): Promise<TerminateOutcome> {
  return (await stopAll([{ target, ...options }]))[0]!.outcome;
}

export interface BatchOptions {
  /** How a poll reads /proc (tests count the calls). */
  scanAll?: () => readonly ProcStat[];
  /** The caller's own lineage, when it already read it (never signalled). */
  lineage?: Lineage;
}

export async function stopAll(stops: readonly Stop[], options: BatchOptions = {}): Promise<StopReport[]> {
  const started = Date.now();
  const lineage = options.lineage ?? ownLineage();
  const newPoll = () => pollFor(stops.map((s) => s.target), options.scanAll);
  let poll = newPoll();
  // Everything is located before anything is sent: a group send can end a later target of
  // the batch, which must then count as ended by it, not as gone before it.
  const first = stops.map((stop) => locate(stop.target, poll));
  const progress = stops.map((stop, i) => begin(stop, first[i]!, poll, lineage));

  for (let delay = 10; progress.some((p) => p.outcome === null); delay = Math.min(delay * 2, 50)) {
    const wake = Math.min(...progress.filter((p) => p.outcome === null).map((p) => p.until));
    await Bun.sleep(Math.max(1, Math.min(delay, wake - Date.now())));
    poll = newPoll();
    const now = Date.now();
    const found = stops.map((stop, i) => (progress[i]!.outcome === null ? locate(stop.target, poll) : null));
    stops.forEach((stop, i) => {
      const p = progress[i]!;
      const f = found[i];
      if (p.outcome !== null || !f) return;
      if (f.alive === 0) {
        p.goneAt = now;
        p.outcome = p.stage === "grace" ? "terminated" : "killed";
      } else if (now >= p.until || (p.stage === "grace" && stop.hurry?.now)) advance(stop, p, f, poll, lineage, now);
    });
  }
  return progress.map((p) => ({
    outcome: p.outcome!,
    signal: p.signal,
    durationMs: p.goneAt === null ? null : p.goneAt - started,
    pending: p.outcome === "failed" && p.signal !== null,
  }));
}

/** The first signal, then SIGCONT; where the grace period ends. */
function begin(stop: Stop, found: Found, poll: Poll, lineage: Lineage): Progress {
  const p: Progress = { stage: "grace", until: 0, signal: null, goneAt: null, outcome: null };
  if (found.alive === 0) return { ...p, outcome: "gone" };
  const sent = sendFirst(found, stop.signal, poll, lineage);
  // Nothing reached: refused if anything was left to refuse, else it vanished meanwhile.
  if (sent.reached === 0) return { ...p, outcome: sent.refused ? "failed" : "gone" };
  p.signal = signalName(stop.signal);
  const grace = Number.isFinite(stop.graceMs) ? stop.graceMs : UNESCALATED_WAIT_MS;
  p.until = Math.min(Date.now() + grace, (stop.endBy ?? Infinity) - KILL_RESERVE_MS);
  return p;
}

function advance(stop: Stop, p: Progress, found: Found, poll: Poll, lineage: Lineage, now: number): void {
  const escalates = Number.isFinite(stop.graceMs) || stop.hurry?.now;
  if (p.stage === "kill-again" || (p.stage === "grace" && !escalates)) {
    p.outcome = "failed";
    return;
  }
  if (p.stage === "grace") stop.onEscalate?.();
  // A second round catches members forked between the scan and the first group kill.
  if (send(found, SIGKILL, poll, lineage).reached > 0) p.signal = signalName(SIGKILL);
  p.stage = p.stage === "grace" ? "kill" : "kill-again";
  p.until = Math.min(now + KILL_SETTLE_MS, stop.endBy ?? Infinity);
}

// A lone entry (the wrapper's) reads only the pids allocated since it started; process targets need no scan.
function pollFor(targets: readonly StopTarget[], scanAll: () => readonly ProcStat[] = scanProcesses): Poll {
  const entries = targets.filter((t) => "entry" in t).length;
  return { stats: entries > 1 ? scanAll() : null, probe: sharedProbe(), groupSends: new Map() };
}

function locate(target: StopTarget, poll: Poll): Found {
  if ("entry" in target) {
    const found = findEntryProcesses(target.entry, poll.stats ?? scanForEntry(target.entry), poll.probe);
    const endable = endableProcesses(found, target.entry, target.policy, poll.probe.environ);
    // What the policy keeps is neither signalled nor waited for.
    if (!endable.wholeGroup) return { group: null, processes: endable.processes, alive: endable.processes.length };
    const group = target.entry.pgid !== null ? { pgid: target.entry.pgid, members: found.members } : null;
    return { group, processes: found.carriers.filter((c) => endable.processes.includes(c)), alive: endable.processes.length };
  }
  const self = currentIfSame(target.process);
  return { group: target.group ?? null, processes: self ? [self] : [], alive: self ? 1 : 0 };
}

function sendFirst(found: Found, signal: number, poll: Poll, lineage: Lineage): { reached: number; refused: boolean } {
  const sent = send(found, signal, poll, lineage);
  if (sent.reached > 0 && signal !== SIGKILL && signal !== SIGCONT) send(found, SIGCONT, poll, lineage);
  return sent;
}

/** One signal to what was found: the group as a whole, then each process the group send did not reach. */
function send(found: Found, signal: number, poll: Poll, lineage: Lineage): { reached: number; refused: boolean } {
  let reached = 0;
  let refused = false;
  const inGroup = new Set<string>();
  if (found.group) {
    const key = `${signal}:${found.group.pgid}`;
    const result = poll.groupSends.get(key) ?? signalGroup(found.group.pgid, found.group.members, signal, lineage);
    poll.groupSends.set(key, result);
    if (result === "sent") {
      reached++;
      for (const member of found.group.members) inGroup.add(`${member.pid}:${member.startTicks}`);
    } else if (result === "refused") refused = true;
  }
  for (const proc of found.processes) {
    // Already reached through its group: a second send would race its death.
    if (inGroup.has(`${proc.pid}:${proc.startTicks}`)) continue;
    const result = signalProcess(identityOf(proc), signal, lineage);
    if (result === "sent") reached++;
    else if (result === "refused") refused = true;
  }
  return { reached, refused };
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
  return stops.filter((s, i) => sendFirst(found[i]!, s.signal, poll, lineage).reached > 0).length;
}
