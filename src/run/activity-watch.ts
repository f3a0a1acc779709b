// The wrapper's look at what its command does: its tree sampled every interval, judged
// (src/activity/state.ts), and the judgement recorded when it changes, so `ls` and `show`
// can say "stalled" or "waiting-input" without a second look of their own; while one state
// holds, its changing facts (CPU, memory, output time) are written again once a minute.

import { statSync } from "node:fs";
import { readTreeFacts, treeOf } from "../activity/facts.ts";
import type { EntryActivity } from "../activity/record.ts";
import { lastLineOf } from "../activity/last-line.ts";
import { judge, TOLD_STATES, type ActivityTrack } from "../activity/state.ts";
import { CLOCK_TICKS_PER_SECOND } from "../proc/boot.ts";

/** A sample every quarter of the stall limit, between these bounds. */
const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 30_000;

/** While its state holds, how often changed facts are written again (or the stall limit, if shorter): what `ls` and `show` print is never older. */
const FACTS_EVERY_MS = 60_000;

export interface ActivityWatch {
  stop(): void;
}

export interface WatchOptions {
  leader: number;
  /** Whose descendants are the command's: the wrapper itself when it adopts (a `setsid -f` server is reparented to it), else the leader. */
  root: number;
  /** The --capture log, whose mtime is the output's progress; null: the command's own stdout. */
  capturePath: string | null;
  stallAfterMs: number;
  /** `run --idle-timeout`: no progress this long (stalled, quiet or waiting for input, never serving) ends the command; Infinity: never. */
  idleTimeoutMs: number;
  /** `changed`: the state or ports changed (its agent may be told); false for facts written again. */
  record(activity: EntryActivity, changed: boolean): void;
  onIdle(): void;
}

export function sampleInterval(stallAfterMs: number, idleTimeoutMs = Infinity): number {
  return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(Math.min(stallAfterMs, idleTimeoutMs) / 4)));
}

const IDLE_STATES: ReadonlySet<string> = new Set(["quiet", "stalled", "waiting-input"]);

export function watchActivity(options: WatchOptions): ActivityWatch {
  let track: ActivityTrack | null = null;
  // The threads the last look saw blocked reading stdin: a read they completed since is input that came.
  let stdinReads: ReadonlyMap<string, number> = new Map();
  let recorded: { key: string; facts: string; at: number } | null = null;
  const factsEveryMs = Math.min(FACTS_EVERY_MS, options.stallAfterMs);
  let idled = false;
  const sample = () => {
    // The wrapper's own ticks are not the command's progress.
    const pids = treeOf(options.root).filter((pid) => pid !== process.pid);
    if (pids.length === 0) return;
    const facts = readTreeFacts(pids, options.leader, stdinReads);
    stdinReads = facts.stdinReads ?? new Map();
    // Suspended by the user: not judged, and judged afresh once continued, as the deadline waits too.
    if (facts.stopped) {
      track = null;
      return;
    }
    const output = options.capturePath === null ? facts.outputAt : mtimeOf(options.capturePath);
    const next = judge(track, { at: Date.now(), cpuTicks: facts.cpuTicks, queuedMs: facts.queuedMs, output, ports: facts.ports, readingStdin: facts.readingStdin, io: facts.io, fed: facts.fed }, options.stallAfterMs, CLOCK_TICKS_PER_SECOND);
    track = next.track;
    if (!idled && IDLE_STATES.has(track.state) && track.last.at - track.progressAt >= options.idleTimeoutMs) {
      idled = true;
      options.onIdle();
    }
    // Written when what a reader sees changes, the facts at most once a minute: a waiting wrapper opens the ledger rarely.
    const key = `${next.judgement.state} ${next.judgement.ports.join(",")}`;
    const shown = `${Math.round(next.judgement.cpuPercent)} ${Math.round(facts.rssBytes / 2 ** 20)} ${output}`;
    const changed = key !== recorded?.key;
    if (!changed && (shown === recorded!.facts || track.last.at - recorded!.at < factsEveryMs)) return;
    recorded = { key, facts: shown, at: track.last.at };
    // What a stuck command last said is what its agent most needs told; read only then.
    const lastLine = TOLD_STATES.has(track.state) ? lastLineOf(options.capturePath ?? `/proc/${options.leader}/fd/1`) : null;
    options.record({ state: track.state, since: track.stateSince, at: track.last.at, cpuPercent: next.judgement.cpuPercent, rssBytes: facts.rssBytes, ports: facts.ports, outputAt: output, lastLine }, changed);
  };
  // The first look waits one interval: at launch the ledger has just been written, and a
  // command that ends sooner has nothing to tell.
  const timer = setInterval(sample, sampleInterval(options.stallAfterMs, options.idleTimeoutMs));
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}

function mtimeOf(path: string): number | null {
  try {
    return Math.floor(statSync(path).mtimeMs);
  } catch {
    return null;
  }
}
