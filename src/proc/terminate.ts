// First signal, one grace period, then SIGKILL to whatever of the command is left.

import { countAlive, findEntryProcesses, type EntryProcesses, type EntryRef } from "./scan.ts";
import { ownLineage, signalGroup, signalProcess } from "./signal.ts";
import { identityOf } from "./identity.ts";
import { SIGNALS } from "./signals.ts";
import { waitWhile } from "../time/poll.ts";

const { SIGKILL, SIGCONT } = SIGNALS;

/** gone: nothing was alive; terminated: the first signal sufficed; killed: SIGKILL was needed; failed: still alive. */
export type TerminateOutcome = "gone" | "terminated" | "killed" | "failed";

export interface TerminateOptions {
  signal: number;
  /** Infinity: never escalate to SIGKILL (GNU timeout's `-k 0`). */
  graceMs: number;
  /** Called once if the grace period ran out and SIGKILL is about to be sent. */
  onEscalate?: () => void;
  /** A second request can cut the grace period short (a second Ctrl-C). */
  hurry?: { now: boolean };
}

/** How long SIGKILL may take to show: a process in uninterruptible sleep ignores it until it wakes. */
const KILL_SETTLE_MS = 2_000;

export async function terminateEntry(ref: EntryRef, options: TerminateOptions): Promise<TerminateOutcome> {
  let found = findEntryProcesses(ref);
  if (countAlive(found) === 0) return "gone";

  sendFirstSignal(ref, found, options.signal);

  const graceEnd = Date.now() + options.graceMs;
  found = await waitUntilGone(ref, () => Date.now() >= graceEnd || options.hurry?.now === true);
  if (countAlive(found) === 0) return "terminated";

  options.onEscalate?.();
  signalAll(ref, found, SIGKILL);
  const killEnd = Date.now() + KILL_SETTLE_MS;
  found = await waitUntilGone(ref, () => Date.now() >= killEnd);
  if (countAlive(found) === 0) return "killed";
  // New members may have been forked between the scan and the group kill: one more round.
  signalAll(ref, found, SIGKILL);
  found = await waitUntilGone(ref, () => Date.now() >= killEnd + KILL_SETTLE_MS);
  return countAlive(found) === 0 ? "killed" : "failed";
}

/** The signal, then SIGCONT: a stopped process acts on the first signal only once continued. */
export function sendFirstSignal(ref: EntryRef, found: EntryProcesses, signal: number): void {
  signalAll(ref, found, signal);
  if (signal !== SIGKILL && signal !== SIGCONT) signalAll(ref, found, SIGCONT);
}

export function signalAll(ref: EntryRef, found: EntryProcesses, signal: number): number {
  const lineage = ownLineage();
  let sent = 0;
  if (found.groupProven && ref.pgid !== null && signalGroup(ref.pgid, found.members, signal, lineage) === "sent") sent++;
  for (const carrier of found.carriers) {
    if (signalProcess(identityOf(carrier), signal, lineage) === "sent") sent++;
  }
  return sent;
}

/** Poll until nothing of the entry is alive or `stop()` says so; what was last found. */
export async function waitUntilGone(ref: EntryRef, stop: () => boolean): Promise<EntryProcesses> {
  let found!: EntryProcesses;
  await waitWhile(() => {
    found = findEntryProcesses(ref);
    return countAlive(found) > 0 && !stop();
  });
  return found;
}
