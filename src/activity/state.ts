// What a running command is doing, from several facts at once (issue 23): never from one
// signal alone. CPU and output progress say it works, a listening socket says it serves (never
// stalled, however idle), a read of a stdin nobody writes says it waits for an answer. CPU below
// 1% of a core is not progress: a test waiting on a lock with a 100 ms poll is stuck. Output
// that cannot be seen (a pipe, a terminal) is unknown, never "none": CPU and sockets decide.

export type ActivityState = "busy" | "serving" | "quiet" | "stalled" | "waiting-input" | "spinning";

export interface ActivitySample {
  /** When it was taken (epoch ms). */
  at: number;
  /** CPU ticks of the whole tree so far (its reaped children's included). */
  cpuTicks: number;
  /** Milliseconds its processes have waited, runnable, for a CPU so far (/proc/PID/schedstat); 0 when unseen. */
  queuedMs?: number;
  /** Bytes or mtime of the output it can be seen writing; null when output cannot be seen. */
  output: number | null;
  /** Listening TCP and UDP ports of the tree. */
  ports: readonly number[];
  /** Some process of the tree is blocked reading a stdin that is a pipe or terminal. */
  readingStdin: boolean;
  /** Bytes each process has written itself so far, by `pid:startTicks` (facts.ts); absent when unseen. */
  io?: ReadonlyMap<string, number>;
  /** A read of stdin completed since the last sample (a fed pipe: `tail -f log | grep x`). */
  fed?: boolean;
}

/** What the judge carries from one sample to the next. */
export interface ActivityTrack {
  last: ActivitySample;
  /** The last time CPU or output progressed (or the first sample). */
  progressAt: number;
  /** Since when the tree has wanted at least SPIN_SHARE of a core with no output progress; null when it has not. */
  spinningSince: number | null;
  state: ActivityState;
  /** Since when the state has held; for stalled, waiting-input and spinning, since their condition began. */
  stateSince: number;
}

export interface Judgement {
  state: ActivityState;
  /** CPU over the last window, in percent of one core. */
  cpuPercent: number;
  ports: readonly number[];
}

/** The states its agent is told of (src/tell): each one a thing it cannot see from its side. */
export const TOLD_STATES: ReadonlySet<ActivityState> = new Set<ActivityState>(["stalled", "waiting-input", "spinning"]);

/** 90% of one core. */
export const SPIN_SHARE = 0.9;

/** 1% of one core over the window, and at least 2 ticks (a short window's one tick is 4%): less is an event loop's own timers waking it, not work. */
export const WORK_SHARE = 0.01;
const WORK_TICKS = 2;

/**
 * I/O that is progress: at least 256 bytes a second over the window, and 512 bytes, written by
 * processes seen at both looks (a download to a file, a copy). Reads are not: a poll loop
 * re-reading the file it waits on reads the same bytes again and again.
 */
export const IO_BYTES_PER_SECOND = 256;
export const IO_MIN_BYTES = 512;

/** Bytes moved between two looks by the processes both saw. */
function ioMoved(before: ReadonlyMap<string, number> | undefined, after: ReadonlyMap<string, number> | undefined): number {
  if (!before || !after) return 0;
  let moved = 0;
  for (const [key, bytes] of after) {
    const was = before.get(key);
    if (was !== undefined && bytes > was) moved += bytes - was;
  }
  return moved;
}

/**
 * The state after `next`, given what came before (`track`, null for the first sample).
 * `ticksPerSecond`: the clock the ticks count in. `stallAfterMs`: how long without any
 * progress (and `spinning`'s share of a core without output) before it is said.
 */
export function judge(track: ActivityTrack | null, next: ActivitySample, stallAfterMs: number, ticksPerSecond = 100): { track: ActivityTrack; judgement: Judgement } {
  const windowMs = track ? next.at - track.last.at : 0;
  // A tree that lost a member can count fewer ticks than before: no progress is seen then.
  const cpuTicks = track ? Math.max(0, next.cpuTicks - track.last.cpuTicks) : 0;
  // A clock that did not move on (or went back) gives no rate.
  const cpuPercent = windowMs > 0 ? Math.round((cpuTicks / ticksPerSecond / (windowMs / 1000)) * 1000) / 10 : 0;
  // On a busy machine a spinner gets less than a core but is runnable all the time: wanting a core is running or queued for one.
  const queuedMs = track ? Math.max(0, (next.queuedMs ?? 0) - (track.last.queuedMs ?? 0)) : 0;
  const wantedPercent = windowMs > 0 ? (cpuTicks / ticksPerSecond / (windowMs / 1000)) * 100 + (queuedMs / windowMs) * 100 : 0;
  const seen = track !== null && next.output !== null && track.last.output !== null;
  const wrote = seen && next.output !== track!.last.output;
  // A download takes almost no CPU, nor does a reader fed slowly (`slow | cmd`), but one writes what it gets and the other completes reads of stdin.
  const moved = track === null ? 0 : ioMoved(track.last.io, next.io);
  const readMore = next.fed === true || (windowMs > 0 && moved >= Math.max(IO_MIN_BYTES, IO_BYTES_PER_SECOND * (windowMs / 1000)));
  const worked = windowMs > 0 && cpuTicks >= WORK_TICKS && cpuTicks / ticksPerSecond >= WORK_SHARE * (windowMs / 1000);
  const progressed = track === null || worked || wrote || readMore;
  const progressAt = progressed ? next.at : track!.progressAt;
  // "No output" needs output that can be seen: a compile printing to a pipe is busy, never spinning.
  const spinningNow = seen && wantedPercent >= SPIN_SHARE * 100 && !wrote;
  const spinningSince = spinningNow ? (track!.spinningSince ?? track!.last.at) : null;
  const state = stateOf({ next, progressed, progressAt, spinningSince, stallAfterMs });
  // A stall, a prompt and a spin are said since their condition began, not since it was first seen to last long enough.
  const began = state === "stalled" || state === "waiting-input" ? progressAt : state === "spinning" ? spinningSince! : next.at;
  const stateSince = track && track.state === state ? track.stateSince : began;
  return { track: { last: next, progressAt, spinningSince, state, stateSince }, judgement: { state, cpuPercent, ports: next.ports } };
}

interface Facts {
  next: ActivitySample;
  progressed: boolean;
  progressAt: number;
  spinningSince: number | null;
  stallAfterMs: number;
}

/** The order is the rule: serving beats everything, a prompt beats quiet and stalled. */
function stateOf({ next, progressed, progressAt, spinningSince, stallAfterMs }: Facts): ActivityState {
  if (next.ports.length > 0) return "serving";
  if (spinningSince !== null && next.at - spinningSince >= stallAfterMs) return "spinning";
  if (progressed) return "busy";
  if (next.at - progressAt < stallAfterMs) return "quiet";
  return next.readingStdin ? "waiting-input" : "stalled";
}
