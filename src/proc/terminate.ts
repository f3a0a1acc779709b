// First signal, one grace period, then SIGKILL to whatever of the command is left; for a
// batch of entries at once, with one /proc scan per poll shared by the whole batch.

import { countAlive, findEntryProcesses, scanForEntry, scanProcesses, sharedProbe, type EntryProcesses, type EntryRef } from "./scan.ts";
import { ownLineage, signalGroup, signalProcess } from "./signal.ts";
import { identityOf } from "./identity.ts";
import { SIGNALS } from "./signals.ts";
import type { ProcStat } from "./stat.ts";

const { SIGKILL, SIGCONT } = SIGNALS;

/** gone: nothing was alive; terminated: the first signal sufficed; killed: SIGKILL was needed; failed: still alive. */
export type TerminateOutcome = "gone" | "terminated" | "killed" | "failed";

export interface TerminateOptions {
  signal: number;
  /** Infinity: never escalate to SIGKILL (GNU timeout's `-k 0`). */
  graceMs: number;
  /** Called once if the grace period ran out and SIGKILL is about to be sent. */
  onEscalate?: () => void;
  /** A second request can cut the grace period short (a second Ctrl-C), SIGKILL included. */
  hurry?: { now: boolean };
}

/** How long SIGKILL may take to show: a process in uninterruptible sleep ignores it until it wakes. */
const KILL_SETTLE_MS = 2_000;
/** With no SIGKILL to follow (a grace of 0 or none), a stop reports the target alive after this long. */
export const UNESCALATED_WAIT_MS = 10_000;

export async function terminateEntry(ref: EntryRef, options: TerminateOptions): Promise<TerminateOutcome> {
  return (await terminateEntries([{ ref, ...options }]))[0]!;
}

interface Stop extends TerminateOptions {
  ref: EntryRef;
}

/** Where one entry of the batch is: waiting out its grace, or SIGKILL's settling (twice at most). */
interface Progress {
  stage: "grace" | "kill" | "kill-again";
  until: number;
  outcome: TerminateOutcome | null;
}

export async function terminateEntries(stops: readonly Stop[], scanAll: () => readonly ProcStat[] = scanProcesses): Promise<TerminateOutcome[]> {
  // One entry (the wrapper) reads only the pids allocated since it started; a batch scans once per poll.
  const scan = (): readonly ProcStat[] | null => (stops.length === 1 ? null : scanAll());
  let stats = scan();
  // Each poll reads a process's environment once, however many entries look for their cookie in it.
  let probe = sharedProbe();
  const find = (stop: Stop) => findEntryProcesses(stop.ref, stats ?? scanForEntry(stop.ref), probe);
  const lineage = ownLineage();
  const progress: Progress[] = stops.map((stop) => {
    const found = find(stop);
    if (countAlive(found) === 0) return { stage: "grace", until: 0, outcome: "gone" };
    sendFirstSignal(stop.ref, found, stop.signal, lineage);
    const grace = Number.isFinite(stop.graceMs) ? stop.graceMs : UNESCALATED_WAIT_MS;
    return { stage: "grace", until: Date.now() + grace, outcome: null };
  });

  for (let delay = 10; progress.some((p) => p.outcome === null); delay = Math.min(delay * 2, 50)) {
    const wake = Math.min(...progress.filter((p) => p.outcome === null).map((p) => p.until));
    await Bun.sleep(Math.max(1, Math.min(delay, wake - Date.now())));
    stats = scan();
    probe = sharedProbe();
    const now = Date.now();
    stops.forEach((stop, i) => {
      const p = progress[i]!;
      if (p.outcome !== null) return;
      const found = find(stop);
      if (countAlive(found) === 0) p.outcome = p.stage === "grace" ? "terminated" : "killed";
      else if (now >= p.until || (p.stage === "grace" && stop.hurry?.now)) advance(stop, p, found, lineage, now);
    });
  }
  return progress.map((p) => p.outcome!);
}

function advance(stop: Stop, p: Progress, found: EntryProcesses, lineage: ReturnType<typeof ownLineage>, now: number): void {
  if (p.stage === "grace" && !Number.isFinite(stop.graceMs) && !stop.hurry?.now) {
    p.outcome = "failed";
    return;
  }
  if (p.stage === "kill-again") {
    p.outcome = "failed";
    return;
  }
  if (p.stage === "grace") stop.onEscalate?.();
  // A second round catches members forked between the scan and the first group kill.
  signalAll(stop.ref, found, SIGKILL, lineage);
  p.stage = p.stage === "grace" ? "kill" : "kill-again";
  p.until = now + KILL_SETTLE_MS;
}

/** The signal, then SIGCONT: a stopped process acts on the first signal only once continued. */
export function sendFirstSignal(ref: EntryRef, found: EntryProcesses, signal: number, lineage = ownLineage()): void {
  signalAll(ref, found, signal, lineage);
  if (signal !== SIGKILL && signal !== SIGCONT) signalAll(ref, found, SIGCONT, lineage);
}

export function signalAll(ref: EntryRef, found: EntryProcesses, signal: number, lineage = ownLineage()): number {
  let sent = 0;
  if (found.groupProven && ref.pgid !== null && signalGroup(ref.pgid, found.members, signal, lineage) === "sent") sent++;
  for (const carrier of found.carriers) {
    if (signalProcess(identityOf(carrier), signal, lineage) === "sent") sent++;
  }
  return sent;
}
