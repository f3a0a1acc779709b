// How an entry's end is recorded (src/entry/end.ts): the row as it stands, who writes and
// what it knows -> what the row records, whether the stop asked for is withdrawn, and the
// wrapper's exit status. Odd and hostile rows included.

import { describe, expect, test } from "bun:test";
import { decideEnd, type EndFacts, type EndRow, type SweepEnd } from "../../src/entry/end.ts";

const open = (stop_reason: string | null = null, stopOwnerAlive: boolean | null = null): EndRow => ({ ended_at: null, stop_reason, exit_status: null, stopOwnerAlive });
/** A stop asked by a `kill` (or sweep) that is gone now: SIGKILLed during its grace. */
const orphanedAsk = (stop_reason: string) => open(stop_reason, false);
const ended = (exit_status: number | null = null): EndRow => ({ ended_at: 5, stop_reason: "manual", exit_status });

const wrapper = (stop: "deadline" | "signal" | "parent-died" | "leftovers" | null, outcome: "gone" | "terminated" | "killed" | "failed", exitStatus = 0, endSignal: string | null = null): EndFacts => ({
  by: "wrapper",
  at: 9,
  stop,
  outcome,
  exitCode: endSignal === null ? exitStatus : null,
  endSignal,
  exitStatus,
});

const stopper = (
  outcome: "gone" | "terminated" | "killed" | "failed",
  more: { signalledBefore?: string; wrapperAlive?: boolean; commandAlive?: boolean; survivors?: number; sameNamespace?: boolean; reason?: "manual" | "session-end" } = {},
): EndFacts => ({
  by: "stopper",
  at: 9,
  reason: more.reason ?? "manual",
  outcome,
  sent: outcome === "terminated" ? "TERM" : outcome === "killed" ? "KILL" : null,
  signalledBefore: more.signalledBefore ?? null,
  sameNamespace: more.sameNamespace ?? true,
  wrapperAlive: more.wrapperAlive ?? false,
  commandAlive: more.commandAlive ?? false,
  survivors: more.survivors ?? 0,
});

type Target = SweepEnd["targets"][number];
const sweep = (verdict: SweepEnd["verdict"], ...targets: Target[]): EndFacts => ({ by: "sweep", at: 9, verdict, targets, commandAlive: false });
const sweepLeaving = (verdict: SweepEnd["verdict"], ...targets: Target[]): EndFacts => ({ by: "sweep", at: 9, verdict, targets, commandAlive: true });
const t = (outcome: Target["outcome"], signal: string | null = outcome === "gone" ? null : outcome === "killed" ? "KILL" : "TERM"): Target => ({ outcome, signal });

/** [state, reason, end_signal] of the record, or null when nothing is recorded. */
type Recorded = [string, string | null, string | null] | null;

describe("decideEnd", () => {
  test.each<[string, EndRow, EndFacts, Recorded, boolean]>([
    // The wrapper: its command ended.
    ["wrapper: exited by itself", open(), wrapper(null, "gone", 3), ["exited", null, null], false],
    ["wrapper: died of a signal nobody here sent", open(), wrapper(null, "gone", 139, "SEGV"), ["exited", null, "SEGV"], false],
    ["wrapper: exited, and it ended what was left", open(), wrapper("leftovers", "terminated"), ["exited", "leftovers", null], false],
    ["wrapper: exited, its stop of the leftovers found nothing", open(), wrapper("leftovers", "gone"), ["exited", null, null], false],
    ["wrapper: exited, its stop of the leftovers was refused", open(), wrapper("leftovers", "failed"), ["exited", null, null], false],
    ["wrapper: its deadline", open(), wrapper("deadline", "terminated", 124, "TERM"), ["killed", "deadline", "TERM"], false],
    ["wrapper: its deadline came before a kill asked", open("manual"), wrapper("deadline", "killed", 124, "KILL"), ["killed", "deadline", "KILL"], false],
    ["wrapper: a signal to it", open(), wrapper("signal", "terminated", 130, "INT"), ["killed", "signal", "INT"], false],
    ["wrapper: its parent died", open(), wrapper("parent-died", "terminated", 143, "TERM"), ["killed", "parent-died", "TERM"], false],
    ["wrapper: 'exited' after a kill asked (our signal killed it)", open("manual"), wrapper(null, "gone", 143, "TERM"), ["killed", "manual", "TERM"], false],
    ["wrapper: its parent died as a sweep ended the shell above it", open("owner-dead"), wrapper("parent-died", "terminated", 143, "TERM"), ["killed", "owner-dead", "TERM"], false],
    ["wrapper: a signal as SessionEnd ended the session's tree", open("session-end"), wrapper("signal", "terminated", 143, "TERM"), ["killed", "session-end", "TERM"], false],
    ["wrapper: leftovers after its own exit, a kill asked", open("manual"), wrapper("leftovers", "terminated"), ["killed", "manual", null], false],
    ["wrapper: an overdue sweep asked", open("overdue"), wrapper(null, "gone", 137, "KILL"), ["killed", "overdue", "KILL"], false],
    // The stop's asker is gone (a kill SIGKILLed during its grace): only what its stop reached counts.
    ["wrapper: asker gone, the command then exited 5 by itself", orphanedAsk("manual"), wrapper(null, "gone", 5), ["exited", null, null], false],
    ["wrapper: asker gone, the command exited 0", orphanedAsk("manual"), wrapper(null, "gone", 0), ["exited", null, null], false],
    ["wrapper: asker gone, the command died of its TERM (reached)", orphanedAsk("manual"), wrapper(null, "gone", 143, "TERM"), ["killed", "manual", "TERM"], false],
    ["wrapper: asker gone, died of its SIGKILL (reached)", orphanedAsk("manual"), wrapper(null, "gone", 137, "KILL"), ["killed", "manual", "KILL"], false],
    ["wrapper: asker gone, exited by itself, the wrapper ended what it left", orphanedAsk("manual"), wrapper("leftovers", "terminated"), ["exited", "leftovers", null], false],
    ["wrapper: asker gone, exited as the wrapper stopped it on a signal", orphanedAsk("manual"), wrapper("signal", "terminated", 143), ["killed", "signal", null], false],
    ["wrapper: asker gone, its deadline", orphanedAsk("manual"), wrapper("deadline", "terminated", 124, "TERM"), ["killed", "deadline", "TERM"], false],
    ["wrapper: a sweep's ask, the sweep gone, the command exited 1", orphanedAsk("owner-dead"), wrapper(null, "gone", 1), ["exited", null, null], false],
    ["wrapper: asker alive, the command exited 5 in its grace", open("manual", true), wrapper(null, "gone", 5), ["killed", "manual", null], false],
    ["wrapper: asker unknown (none recorded: an older supervise), exited 5", open("manual", null), wrapper(null, "gone", 5), ["killed", "manual", null], false],
    ["wrapper: asker gone, junk stop_reason", orphanedAsk("junk"), wrapper(null, "gone", 5), ["exited", null, null], false],
    ["kill: its own record, whatever became of an earlier asker", orphanedAsk("manual"), stopper("terminated"), ["killed", "manual", "TERM"], false],
    ["sweep: an earlier asker gone, the sweep reached it", orphanedAsk("manual"), sweep("owner-dead", t("terminated")), ["killed", "owner-dead", "TERM"], false],
    // Hostile stop_reason text: no stopper asked for that, so it is no request.
    ["wrapper: stop_reason 'deadline' (no stopper sets it)", open("deadline"), wrapper(null, "gone", 0), ["exited", null, null], false],
    ["wrapper: stop_reason 'leftovers'", open("leftovers"), wrapper("signal", "terminated", 143), ["killed", "signal", null], false],
    ["wrapper: stop_reason of junk", open("'; DROP TABLE entries; --"), wrapper(null, "gone", 1), ["exited", null, null], false],
    ["wrapper: stop_reason empty", open(""), wrapper(null, "gone", 1), ["exited", null, null], false],
    ["wrapper: stop_reason in another case", open("MANUAL"), wrapper(null, "gone", 1), ["exited", null, null], false],
    // A stopper (kill, SessionEnd's follow-up) after its stop.
    ["kill: terminated", open("manual"), stopper("terminated"), ["killed", "manual", "TERM"], false],
    ["kill: needed SIGKILL, wrapper alive (first writer wins)", open("manual"), stopper("killed", { wrapperAlive: true }), ["killed", "manual", "KILL"], false],
    ["kill: the stop failed (still alive)", open("manual"), stopper("failed", { wrapperAlive: true, commandAlive: true, survivors: 1 }), null, true],
    ["kill: the stop failed, wrapper dead", open("manual"), stopper("failed"), null, true],
    ["kill: nothing alive, wrapper alive: it records its command's own exit", open("manual"), stopper("gone", { wrapperAlive: true }), null, true],
    ["kill: nothing alive, wrapper gone: lost", open("manual"), stopper("gone"), ["lost", null, null], true],
    ["kill: recorded in another pid namespace: nothing known, nothing recorded", open("manual"), stopper("gone", { sameNamespace: false }), null, true],
    ["kill: another namespace, even 'terminated'", open("manual"), stopper("terminated", { sameNamespace: false }), null, true],
    ["SessionEnd follow-up: its hook's first signal ended the command, wrapper gone", open("session-end"), stopper("gone", { reason: "session-end", signalledBefore: "TERM" }), ["killed", "session-end", "TERM"], false],
    ["SessionEnd follow-up: ...and a kept tmux it started lives on", open("session-end"), stopper("gone", { reason: "session-end", signalledBefore: "TERM", survivors: 2 }), ["killed", "session-end", "TERM"], false],
    ["SessionEnd follow-up: the hook's signal ended it, the live wrapper records it", open("session-end"), stopper("gone", { reason: "session-end", signalledBefore: "TERM", wrapperAlive: true }), null, false],
    ["SessionEnd follow-up: the command is kept (protected) and alive: nothing was reached", open("session-end"), stopper("gone", { reason: "session-end", signalledBefore: "TERM", commandAlive: true, survivors: 1 }), null, true],
    ["SessionEnd follow-up: kept command alive, wrapper alive", open("session-end"), stopper("gone", { reason: "session-end", signalledBefore: "TERM", commandAlive: true, survivors: 1, wrapperAlive: true }), null, true],
    ["SessionEnd follow-up: reached a member, the command is kept and lives on", open("session-end"), stopper("terminated", { reason: "session-end", survivors: 1, commandAlive: true, wrapperAlive: true }), null, true],
    ["SessionEnd follow-up: reached a member, a kept command lives on, wrapper gone", open("session-end"), stopper("terminated", { reason: "session-end", survivors: 1, commandAlive: true }), null, true],
    ["SessionEnd follow-up: reached the command, a kept tmux it started lives on", open("session-end"), stopper("terminated", { reason: "session-end", survivors: 2 }), ["killed", "session-end", "TERM"], false],
    ["nothing alive to stop, nothing sent, but kept processes live: not lost", open("session-end"), stopper("gone", { reason: "session-end", survivors: 1 }), null, true],
    // A sweep.
    ["sweep: lost", open(), sweep("lost"), ["lost", null, null], false],
    ["sweep: owner-dead, its command ended", open("owner-dead"), sweep("owner-dead", t("terminated")), ["killed", "owner-dead", "TERM"], false],
    ["sweep: owner-dead, one needed SIGKILL", open("owner-dead"), sweep("owner-dead", t("terminated"), t("killed")), ["killed", "owner-dead", "KILL"], false],
    ["sweep: overdue, one reached, one already gone", open("overdue"), sweep("overdue", t("gone"), t("terminated")), ["killed", "overdue", "TERM"], false],
    ["sweep: owner-dead, every process protected (no target)", open(), sweep("owner-dead"), null, false],
    ["sweep: no target while a kill's stop is pending: it is not withdrawn", open("manual"), sweep("owner-dead"), null, false],
    ["sweep: every target gone before the signal", open("owner-dead"), sweep("owner-dead", t("gone"), t("gone")), null, true],
    ["sweep: a survivor (signalled, still alive)", open("owner-dead"), sweep("owner-dead", t("terminated"), t("failed", "KILL")), null, false],
    ["sweep: every send refused", open("owner-dead"), sweep("owner-dead", t("failed", null)), null, true],
    ["sweep: a member ended, the protected command runs on", open("owner-dead"), sweepLeaving("owner-dead", t("terminated")), null, true],
    ["sweep: lost, whatever else is said", open(), sweepLeaving("lost", t("failed")), ["lost", null, null], false],
    // gc: wrapper and processes gone.
    ["gc: found lost", open(), { by: "gc", at: 9 }, ["lost", null, null], false],
    ["gc: found lost, a stop asked: still lost", open("manual"), { by: "gc", at: 9 }, ["lost", null, null], false],
  ])("%s", (_, row, facts, expected, withdraws) => {
    const decision = decideEnd(row, facts);
    expect(decision.record && [decision.record.state, decision.record.reason, decision.record.end_signal]).toEqual(expected);
    expect(decision.withdrawStop).toBe(withdraws);
    if (decision.record) expect(decision.record.ended_at).toBe(9);
  });

  test("the wrapper's exit status is its own; no other writer records one", () => {
    expect(decideEnd(open("manual"), wrapper(null, "gone", 143, "TERM")).record).toMatchObject({ exit_code: null, exit_status: 143 });
    expect(decideEnd(open(), wrapper(null, "gone", 3)).record).toMatchObject({ exit_code: 3, exit_status: 3 });
    expect(decideEnd(open("manual"), stopper("terminated")).record).toMatchObject({ exit_code: null, exit_status: null });
    expect(decideEnd(open(), sweep("owner-dead", t("terminated"))).record).toMatchObject({ exit_code: null, exit_status: null });
  });

  test.each<[string, EndRow, EndFacts, number | null]>([
    ["the wrapper, after another writer recorded the end: its exit status is kept", ended(), wrapper(null, "gone", 124), 124],
    ["...unless one is recorded already", ended(0), wrapper(null, "gone", 124), null],
    ["an end at time 0 is an end", { ended_at: 0, stop_reason: null, exit_status: null }, wrapper(null, "gone", 1), 1],
    ["a stopper after the end: nothing", ended(), stopper("terminated"), null],
    ["a sweep after the end: nothing", ended(), sweep("owner-dead", t("terminated")), null],
    ["gc after the end: nothing", ended(), { by: "gc", at: 9 }, null],
  ])("first writer wins: %s", (_, row, facts, exitStatus) => {
    expect(decideEnd(row, facts)).toEqual({ record: null, withdrawStop: false, exitStatus });
  });
});
