// The activity judge: a table of sample sequences and what each comes to.

import { describe, expect, test } from "bun:test";
import { judge, type ActivitySample, type ActivityState, type ActivityTrack } from "../../src/activity/state.ts";

const LIMIT = 600_000;
/** One sample `s` seconds in: `ticks` of CPU so far (100 a second), output so far, ports, stdin. */
const at = (s: number, ticks: number, output: number | null = null, ports: number[] = [], readingStdin = false): ActivitySample => ({ at: s * 1000, cpuTicks: ticks, output, ports, readingStdin });

/** The same, with `queuedS` seconds spent runnable waiting for a CPU so far. */
const queued = (s: number, ticks: number, queuedS: number): ActivitySample => ({ ...at(s, ticks, 5), queuedMs: queuedS * 1000 });

/** The state after each sample, fed in order. */
function states(samples: ActivitySample[], limit = LIMIT): ActivityState[] {
  let track: ActivityTrack | null = null;
  return samples.map((sample) => {
    const next = judge(track, sample, limit);
    track = next.track;
    return next.judgement.state;
  });
}

describe("judge", () => {
  const rows: [string, ActivitySample[], ActivityState[]][] = [
    ["the first sample: busy (it just started)", [at(0, 0)], ["busy"]],
    ["CPU went on", [at(0, 0), at(30, 50)], ["busy", "busy"]],
    ["output went on, no CPU", [at(0, 0, 10), at(30, 0, 20)], ["busy", "busy"]],
    ["nothing: quiet, then stalled at the limit", [at(0, 5, 10), at(30, 5, 10), at(599, 5, 10), at(600, 5, 10)], ["busy", "quiet", "quiet", "stalled"]],
    ["output unknown (a pipe), no CPU: the same", [at(0, 5), at(300, 5), at(601, 5)], ["busy", "quiet", "stalled"]],
    ["output to /dev/null is seen: nothing arrives, so CPU decides", [at(0, 5, 0), at(700, 5, 0)], ["busy", "stalled"]],
    ["a stall ends with any progress", [at(0, 5, 1), at(601, 5, 1), at(631, 36, 1)], ["busy", "stalled", "busy"]],
    ["a timer's wake-ups (under 1% of a core) are not progress: quiet, then stalled", [at(0, 5, 1), at(30, 13, 1), at(300, 85, 1), at(600, 165, 1)], ["busy", "quiet", "quiet", "stalled"]],
    ["1% of a core is work", [at(0, 5, 1), at(300, 5, 1), at(330, 35, 1)], ["busy", "quiet", "busy"]],
    ["ticks with a clock that did not move are no rate and no progress", [at(10, 5, 1), at(10, 50, 1)], ["busy", "quiet"]],
    ["a listening server that idles: serving, never stalled", [at(0, 0, 0, [8080]), at(3600, 0, 0, [8080])], ["serving", "serving"]],
    ["serving beats spinning", [at(0, 0, null, [53]), at(700, 70_000, null, [53])], ["serving", "serving"]],
    ["a read of a stdin nobody writes: quiet, then waiting-input at the limit", [at(0, 3, 9), at(30, 3, 9, [], true), at(600, 3, 9, [], true)], ["busy", "quiet", "waiting-input"]],
    ["reading stdin while CPU goes on is busy", [at(0, 3), at(30, 60, null, [], true)], ["busy", "busy"]],
    ["it printed its prompt, then waits", [at(0, 3, 0), at(30, 4, 40, [], true), at(60, 4, 40, [], true), at(630, 4, 40, [], true)], ["busy", "busy", "quiet", "waiting-input"]],
    ["a core used with no output: busy until the limit, then spinning", [at(0, 0, 5), at(300, 30_000, 5), at(600, 60_000, 5)], ["busy", "busy", "spinning"]],
    ["several cores count as spinning too", [at(0, 0, 5), at(600, 4 * 60_000, 5)], ["busy", "spinning"]],
    ["a core used with output unknown (a pipe): busy, never spinning, since no output cannot be seen", [at(0, 0), at(300, 30_000), at(600, 60_000)], ["busy", "busy", "busy"]],
    ["a reader fed slowly (tail -f log | grep x): no CPU tick, but its reads of stdin complete", [at(0, 5, 1, [], true), { ...at(400, 5, 1, [], true), fed: true }, { ...at(800, 5, 1, [], true), fed: true }], ["busy", "busy", "busy"]],
    ["blocked on stdin with nothing read: waiting-input at the limit", [at(0, 5, 1, [], true), { ...at(400, 5, 1, [], true), fed: false }, { ...at(700, 5, 1, [], true), fed: false }], ["busy", "quiet", "waiting-input"]],
    ["a download to a file: no CPU to speak of, 300 bytes a second moved", [{ ...at(0, 5, 1), io: new Map([["7:1", 0]]) }, { ...at(400, 5, 1), io: new Map([["7:1", 120_000]]) }, { ...at(800, 5, 1), io: new Map([["7:1", 240_000]]) }], ["busy", "busy", "busy"]],
    ["under 256 bytes a second (a runtime reading its own statm) is not progress", [{ ...at(0, 5, 1), io: new Map([["7:1", 0]]) }, { ...at(400, 5, 1), io: new Map([["7:1", 50_000]]) }, { ...at(800, 5, 1), io: new Map([["7:1", 100_000]]) }], ["busy", "quiet", "stalled"]],
    ["bytes of a process the last look did not see (a poll loop's new sleep, its exec's reads) count for nothing", [{ ...at(0, 5, 1), io: new Map([["7:1", 0]]) }, { ...at(700, 5, 1), io: new Map([["7:1", 0], ["9:700", 900_000]]) }], ["busy", "stalled"]],
    ["a process whose bytes went down (pid reused under the same key: never) counts for nothing", [{ ...at(0, 5, 1), io: new Map([["7:1", 5000]]) }, { ...at(700, 5, 1), io: new Map([["7:1", 10]]) }], ["busy", "stalled"]],
    ["I/O that cannot be read counts for nothing", [at(0, 5, 1), { ...at(700, 5, 1), io: new Map([["7:1", 99]]) }], ["busy", "stalled"]],
    ["output resets spinning", [at(0, 0, 5), at(300, 30_000, 5), at(600, 60_000, 6), at(900, 90_000, 6)], ["busy", "busy", "busy", "busy"]],
    ["a spinner on a busy machine: half a core run, the other half queued for one", [queued(0, 0, 0), queued(300, 15_000, 150), queued(600, 30_000, 300)], ["busy", "busy", "spinning"]],
    ["half a core run and asleep the rest is not spinning", [queued(0, 0, 0), queued(300, 15_000, 10), queued(600, 30_000, 20)], ["busy", "busy", "busy"]],
    ["80% of a core is not spinning", [at(0, 0), at(300, 24_000), at(900, 72_000)], ["busy", "busy", "busy"]],
    ["a clock that went back gives no rate and no progress by time", [at(100, 0, 1), at(50, 0, 1)], ["busy", "quiet"]],
    ["fewer ticks than before (a member left): no progress seen", [at(0, 500, 1), at(30, 100, 1)], ["busy", "quiet"]],
  ];
  for (const [name, samples, expected] of rows) test(name, () => expect(states(samples)).toEqual(expected));

  test("the CPU share over the window, and since when the state holds", () => {
    const first = judge(null, at(0, 0), LIMIT);
    const second = judge(first.track, at(10, 500), LIMIT);
    expect(second.judgement.cpuPercent).toBe(50);
    const third = judge(second.track, at(20, 1000), LIMIT);
    expect(third.track.stateSince).toBe(0);
    const quiet = judge(third.track, at(30, 1000), LIMIT);
    expect([quiet.judgement.state, quiet.track.stateSince, quiet.track.progressAt]).toEqual(["quiet", 30_000, 20_000]);
  });

  test("a stall and a prompt are dated from the last progress, a spin from when it began: not from when they were first seen", () => {
    const states = (samples: ActivitySample[]) => {
      let track: ActivityTrack | null = null;
      for (const sample of samples) track = judge(track, sample, LIMIT).track;
      return [track!.state, track!.stateSince];
    };
    expect(states([at(0, 5, 1), at(40, 50, 1), at(700, 50, 1), at(800, 50, 1)])).toEqual(["stalled", 40_000]);
    expect(states([at(0, 5, 1), at(40, 50, 1, [], true), at(700, 50, 1, [], true)])).toEqual(["waiting-input", 40_000]);
    expect(states([at(0, 0, 5), at(100, 0, 5), at(400, 30_000, 5), at(800, 70_000, 5)])).toEqual(["spinning", 100_000]);
    expect(states([at(0, 0, 5), at(100, 10_000, 5)])).toEqual(["busy", 0]);
  });
});
