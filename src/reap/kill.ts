// Ending many unrelated targets at once: the first signal to all of them, one shared
// grace period, SIGKILL to the survivors, all inside the sweep's time budget. Ten targets
// cost one grace period, not ten. Every send goes through proc/signal.ts, which re-reads
// the target's identity right before it.

import { identityOf, currentIfSame, type ProcessIdentity } from "../proc/identity.ts";
import { ownLineage, signalGroup, signalProcess } from "../proc/signal.ts";
import { signalName, signalNumber } from "../proc/signals.ts";
import { waitWhile } from "../time/poll.ts";
import type { ProcStat } from "../proc/stat.ts";

export type KillAction = "terminated" | "killed" | "gone" | "failed";

export interface KillTarget {
  stat: ProcStat;
}

export interface KillGroup {
  pgid: number;
  members: readonly ProcStat[];
}

export interface KillOptions {
  signal: number;
  graceMs: number;
  /** Wall-clock time (ms) by which the whole kill must be finished. */
  budgetEnd: number;
  /** The caller's own lineage, when it already read it (never signalled). */
  lineage?: ReturnType<typeof ownLineage>;
}

export interface KillResult {
  action: KillAction;
  /** The last signal sent to it, by name; null when none was. */
  signal: string | null;
  /** Still alive when the budget ran out. */
  pending: boolean;
  /** From the first signal until it was seen gone. */
  durationMs: number | null;
}

/** Time kept back from the grace period so SIGKILL and its settling fit in the budget. */
const KILL_RESERVE_MS = 500;
const SIGKILL = signalNumber("KILL");
const SIGCONT = signalNumber("CONT");

export async function killAll(targets: readonly KillTarget[], groups: readonly KillGroup[], options: KillOptions): Promise<KillResult[]> {
  const lineage = options.lineage ?? ownLineage();
  const ids: ProcessIdentity[] = targets.map((t) => identityOf(t.stat));
  const results: KillResult[] = targets.map(() => ({ action: "gone", signal: null, pending: false, durationMs: null }));
  const goneAt: Array<number | null> = targets.map(() => null);
  const started = Date.now();

  const sendRound = (signal: number, which: (i: number) => boolean) => {
    // A target in a group that was just signalled as a whole got the signal that way: sending
    // it again would race its death and report a TERMed target as "gone".
    const reached = new Set<string>();
    for (const group of groups) {
      if (signalGroup(group.pgid, group.members, signal, lineage) !== "sent") continue;
      for (const member of group.members) reached.add(`${member.pid}:${member.startTicks}`);
    }
    ids.forEach((id, i) => {
      if (!which(i)) return;
      const sent = reached.has(`${id.pid}:${id.startTicks}`) ? "sent" : signalProcess(id, signal, lineage);
      // Refused on the first round: never ours to signal. (A later round's refusal leaves the
      // result alone; the target is then judged by whether it is gone.)
      if (sent === "refused" && results[i]!.signal === null) results[i] = { action: "failed", signal: null, pending: false, durationMs: null };
      else if (sent === "sent" && signal !== SIGCONT) results[i]!.signal = signalName(signal);
    });
  };
  const signalled = (i: number) => results[i]!.signal !== null;
  // Re-reads every signalled target still thought alive; true while any is.
  const anyAlive = () => {
    let alive = false;
    ids.forEach((id, i) => {
      if (!signalled(i) || goneAt[i] !== null) return;
      if (currentIfSame(id) === null) goneAt[i] = Date.now();
      else alive = true;
    });
    return alive;
  };

  // First signal; a stopped process only acts on it once continued.
  sendRound(options.signal, () => true);
  if (options.signal !== SIGKILL) sendRound(SIGCONT, signalled);
  const graceEnd = Math.min(Date.now() + options.graceMs, options.budgetEnd - KILL_RESERVE_MS);
  await waitWhile(anyAlive, graceEnd);
  const survivors = ids.map((_, i) => signalled(i) && goneAt[i] === null);
  if (survivors.some(Boolean) && options.signal !== SIGKILL) {
    sendRound(SIGKILL, (i) => survivors[i]!);
    await waitWhile(anyAlive, options.budgetEnd);
  }
  ids.forEach((_, i) => {
    if (!signalled(i)) return;
    const at = goneAt[i]!;
    const action: KillAction = at === null ? "failed" : survivors[i] ? "killed" : "terminated";
    results[i] = { action, signal: results[i]!.signal, pending: at === null, durationMs: at === null ? null : at - started };
  });
  return results;
}
