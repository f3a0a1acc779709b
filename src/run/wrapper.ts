// The wrapper: start the command in its own session and process group, then stay with it
// until it and everything it left behind are gone, whatever ends it first: its own exit,
// the deadline, a signal to us, or the death of our parent.

import type { EntryEnd, EndReason } from "../ledger/entries.ts";
import { asksToBeKept } from "../policy/asks-keep.ts";
import { identityOf, processKey } from "../proc/identity.ts";
import type { EntryRef } from "../proc/scan.ts";
import { becomeChildSubreaper, releaseLibc, unblockAllSignals } from "../proc/libc.ts";
import { signalName, SIGNALS } from "../proc/signals.ts";
import { bootId } from "../proc/boot.ts";
import { forkCount } from "../proc/pid-window.ts";
import { agentOwner } from "./owner.ts";
import { signalEntry, stopAll, type StopOptions, type TerminateOutcome } from "../stop/engine.ts";
import { entryPolicy, type EntryPolicy } from "../stop/entry-policy.ts";
import type { StopPath } from "../policy/lifecycle.ts";
import { setLongTimeout } from "../time/long-timeout.ts";
import { adoptedEndable, forksExecuted, reapAdoptedZombies } from "./leftovers.ts";
import { leftRunningJson, stillRunning } from "../tell/left-running.ts";
import { treeOf } from "../activity/facts.ts";
import { drainBoundMs, drainCapture, openCapture, type Capture } from "./capture.ts";
import { watchActivity } from "./activity-watch.ts";
import { outputPath } from "../capture/files.ts";
import { describeEnd, failedToStart, notStarted, type Ending } from "./ending.ts";
import { watchParent } from "./parent-watch.ts";
import type { WrapperContext } from "./context.ts";
import { readNow } from "../proc/facts.ts";

/** Ending requests that stop the command; the wrapper forwards them, then escalates. */
const TERMINATING = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** Passed on to the command, which decides what they mean. */
const FORWARDED_ONLY = ["SIGUSR1", "SIGUSR2"] as const;

/** Job control from the terminal (Ctrl-Z, background reads and writes): the command, in a session of its own, never gets them. */
const JOB_CONTROL = ["SIGTSTP", "SIGTTIN", "SIGTTOU"] as const;

/** Every signal the wrapper handles (parent-watch.ts's SIGURG too): the command starts with these at their default, the rest as inherited. */
export const HANDLED_SIGNALS: readonly number[] = [...TERMINATING, ...FORWARDED_ONLY, ...JOB_CONTROL, "SIGCONT", "SIGCHLD", "SIGURG"].map((name) => SIGNALS[name as keyof typeof SIGNALS]);

/** How long a command's death by signal waits for the same signal to reach the wrapper. */
const SIGNAL_SETTLE_MS = 20;
/** After a stop that came while the output drained, how long its last output may take to arrive. */
const LAST_OUTPUT_MS = 1_000;
/** Stops of processes the command's adopted ones started meanwhile, after the first. */
const ADOPTED_ROUNDS = 3;

/** What the signal handlers and the supervision loop share. */
interface WrapperState {
  ending: Ending | null;
  /** Set once the command is spawned. */
  ref: EntryRef | null;
  /** A terminating signal that arrived before the launch. */
  early: number | null;
  /** Our parent died (we were reparented). */
  orphaned: boolean;
  /** Aborted by a second stop request while the first is in its grace period. */
  hurry: AbortController;
  /** We are our descendants' subreaper: what the command leaves is reparented to us. */
  subreaper: boolean;
  /**
   * Our descendants are the command's: we are their subreaper and had no child of our own
   * before it (a shell's `daemon & exec supervise run …` leaves us its `daemon`, which is not).
   */
  adopts: boolean;
  /** The command has exited. */
  exited: boolean;
  /** The stop begun before or at the command's exit is over. */
  settled: boolean;
  /** A deadline, signal or parent death that came after the command's exit: it cuts the output's drain short. */
  late: LateRequest | null;
  /** Wakes the output's drain for the late request. */
  wakeDrain: () => void;
}

interface LateRequest {
  reason: "deadline" | "signal" | "parent-died";
  signal: number;
  received?: number;
}

type EndWith = (reason: EndReason, signal: number, received?: number) => void;

export async function runWrapped(ctx: WrapperContext): Promise<number> {
  const { id, request, log } = ctx;
  const state: WrapperState = {
    ending: null,
    ref: null,
    early: null,
    orphaned: false,
    hurry: new AbortController(),
    subreaper: false,
    adopts: false,
    exited: false,
    settled: false,
    late: null,
    wakeDrain: () => {},
  };
  const { hurry } = state;

  const endWith: EndWith = (reason, signal, received) => {
    if (state.exited) return requestLate(state, reason, signal, received);
    if (state.ending) {
      // A second stop request while the first is in its grace period: kill now.
      if (received !== undefined) hurry.abort();
      return;
    }
    if (!state.ref) return;
    log.info({ id, reason, signal: signalName(signal) }, "stopping");
    // GNU timeout -v's line, for what the deadline sends.
    const tell = (sent: number) => void (reason === "deadline" && request.verbose && ctx.say(`sending signal ${signalName(sent).replace(/^SIG/, "")} to command '${request.command[0]}'`));
    tell(signal);
    const onEscalate = () => {
      log.warn({ id, reason }, "grace period over, sending KILL");
      tell(SIGNALS.SIGKILL);
    };
    state.ending = { reason, received, done: stopCommand(ctx, state, stopPathOf(reason), { signal, graceMs: request.graceMs, hurry: hurry.signal, onEscalate }) };
  };

  // Handlers go in before anything slow (the ledger may wait on a lock): a signal that
  // arrived before the launch means "do not launch", one right after it ends the command.
  // Installing them also overrides an inherited SIG_IGN (`cmd &` starts with INT and QUIT ignored).
  const handlers: Array<[string, () => void]> = [];
  // Caught, not ignored: with SIGCHLD at SIG_IGN the kernel reaps our child itself and its
  // exit status is lost (waitpid fails with ECHILD).
  // As a subreaper we also reap the adopted processes that exit (never the command: Bun does).
  handlers.push(["SIGCHLD", () => void (state.subreaper && state.ref && reapAdoptedZombies(state.ref))]);
  for (const name of TERMINATING) {
    handlers.push([name, () => (state.ref ? endWith("signal", SIGNALS[name], SIGNALS[name]) : (state.early ??= SIGNALS[name]))]);
  }
  for (const name of FORWARDED_ONLY) {
    handlers.push([name, () => void (state.ref && signalEntry(state.ref, policyOf(ctx, "signal"), SIGNALS[name]))]);
  }
  // Ctrl-Z stops the command's group, then the wrapper, as dumb-init does; `fg` (SIGCONT to us) continues the group.
  for (const name of JOB_CONTROL) {
    handlers.push([
      name,
      () => {
        if (state.ref) signalEntry(state.ref, policyOf(ctx, "signal"), SIGNALS.SIGSTOP);
        process.kill(process.pid, "SIGSTOP");
      },
    ]);
  }
  handlers.push(["SIGCONT", () => void (state.ref && signalEntry(state.ref, policyOf(ctx, "signal"), SIGNALS.SIGCONT))]);
  for (const [name, handler] of handlers) process.on(name, handler);
  // An inherited blocked mask would hold back every signal above, and the command inherits ours.
  if (!unblockAllSignals()) log.warn({ id }, "cannot reset the signal mask (no libc through bun:ffi)");
  const parentWatch = watchParent(ctx.parentPid, () => {
    state.orphaned = true;
    log.warn({ id, parentAtStart: ctx.parentPid, parentNow: process.ppid }, "parent died");
    if (!request.keepOrphaned) endWith("parent-died", request.signal.number);
  });
  state.subreaper = becomeChildSubreaper();
  if (!state.subreaper) log.warn({ id }, "cannot become the command's subreaper (no libc through bun:ffi)");
  const inherited = treeOf(process.pid, 2).length > 1;
  if (inherited) log.info({ id }, "started with children of its own: only the command's group and cookie are its");
  state.adopts = state.subreaper && !inherited;
  releaseLibc();
  try {
    return await superviseCommand(ctx, state, endWith);
  } finally {
    parentWatch.stop();
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

/** The wrapper's own facts at its start: what the command's processes are found by. */
interface Start {
  self: ReturnType<typeof readNow.stat>;
  forks: number | null;
  startedAt: number;
  deadlineAt: number | null;
}

async function superviseCommand(ctx: WrapperContext, state: WrapperState, endWith: EndWith): Promise<number> {
  const { request } = ctx;
  const start = recordStart(ctx);
  const capture = request.captureMaxBytes === null ? null : await openCapture(ctx, request.captureMaxBytes);
  const refused = await refusedBeforeLaunch(ctx, state);
  if (refused !== null) return refused;

  const child = spawnCommand(ctx, capture);
  if (!("pid" in child)) return failedToStart(ctx, child.error);
  const pumping = capture?.start(child);
  state.ref = commandRef(ctx, child, start);
  actOnRequestsDuringLaunch(ctx, state, endWith);
  announceLaunch(ctx, child, state.ref, start);

  // Armed until the wrapper exits: a wrapper still copying output is not past its deadline.
  const cancelDeadline = start.deadlineAt === null ? () => {} : setLongTimeout(start.deadlineAt, () => endWith("deadline", request.signal.number));
  const activity = watchActivity({
    leader: child.pid,
    // What the wrapper adopts, it ends as the command's: so it is judged as the command's (a daemonized server serves).
    root: state.adopts ? process.pid : child.pid,
    capturePath: capture ? outputPath(ctx.stateDir, ctx.id) : null,
    stallAfterMs: request.stallAfterMs,
    idleTimeoutMs: request.idleTimeoutMs,
    record: (a, changed) => ctx.recorder.activity(a, changed),
    onIdle: () => {
      ctx.log.warn({ id: ctx.id, idleTimeoutMs: request.idleTimeoutMs }, "no progress for the idle timeout");
      endWith("stalled", request.signal.number);
    },
  });
  try {
    const status = await waitForExit(child, state);
    activity.stop();
    state.exited = true;
    endLeftovers(ctx, state);
    const outcome = state.ending ? await state.ending.done : "gone";
    state.settled = true;
    const late = pumping ? await drainOutput(ctx, state, pumping, outcome) : null;
    // A late stop says how the run ended only when the command ended by itself and the stop reached something.
    const [ending, finalOutcome] = late && (state.ending === null || state.ending.reason === "leftovers") ? [late.ending, late.outcome] : [state.ending, outcome];
    const end = describeEnd(ending, finalOutcome, child, status, request.preserveStatus);
    if (state.ref) end.record.leftRunning = leftRunningJson(stillRunning(state.ref, state.adopts));
    return recordEnd(ctx, end, start);
  } finally {
    activity.stop();
    cancelDeadline();
  }
}

/** After the command's exit, a stop request stops what it left, once: a second one hurries it. */
function requestLate(state: WrapperState, reason: EndReason, signal: number, received?: number): void {
  // A second request while a stop is in its grace period: kill now.
  if (received !== undefined && (state.late !== null || !state.settled)) state.hurry.abort();
  if (state.late !== null || (reason !== "deadline" && reason !== "signal" && reason !== "parent-died")) return;
  state.late = { reason, signal, received };
  state.wakeDrain();
}

/**
 * Copies the output until its pipes close, for at most grace + 1 s (what the command left
 * may hold them for ever). A deadline, signal or parent death meanwhile ends the copy: it
 * stops what is left on its path and, when that reached something, is returned, and the
 * output gets one more second.
 */
async function drainOutput(ctx: WrapperContext, state: WrapperState, pumping: Promise<void>, outcome: TerminateOutcome): Promise<{ ending: Ending; outcome: TerminateOutcome } | null> {
  const woken = new Promise<void>((resolve) => {
    state.wakeDrain = resolve;
    if (state.late) resolve();
  });
  const how = await drainCapture(pumping, drainBoundMs(ctx.request, outcome), woken);
  const late = state.late;
  if (how !== "woken" || late === null || !state.ref) return null;
  ctx.log.info({ id: ctx.id, reason: late.reason, signal: signalName(late.signal) }, "stopping what the command left");
  const done = stopCommand(ctx, state, stopPathOf(late.reason), { signal: late.signal, graceMs: ctx.request.graceMs, hurry: state.hurry.signal });
  const lateOutcome = await done;
  if (!reached(lateOutcome)) return null;
  // What it ended held the pipes: its last output is on its way.
  await drainCapture(pumping, LAST_OUTPUT_MS);
  return { ending: { reason: late.reason, received: late.received, done }, outcome: lateOutcome };
}

function reached(outcome: TerminateOutcome): boolean {
  return outcome === "terminated" || outcome === "killed";
}

function stopPathOf(reason: EndReason): StopPath {
  return reason === "deadline" ? "deadline" : reason === "stalled" ? "idle-timeout" : reason === "parent-died" ? "parent-died" : reason === "leftovers" ? "leftovers" : "signal";
}

const SEVERITY: Record<TerminateOutcome, number> = { gone: 0, terminated: 1, killed: 2, failed: 3 };

/**
 * One stop of the command on `path`: its entry (group, cookie carriers), and what descends
 * from us that neither finds; then what those started meanwhile. The worst outcome of them.
 */
async function stopCommand(ctx: WrapperContext, state: Pick<WrapperState, "ref" | "adopts">, path: StopPath, options: StopOptions): Promise<TerminateOutcome> {
  const ref = state.ref!;
  const policy = policyOf(ctx, path);
  const targeted = new Set<string>();
  const adopted = () => {
    if (!state.adopts) return [];
    const found = adoptedEndable(ref, policy).filter((p) => !targeted.has(processKey(p)));
    for (const p of found) targeted.add(processKey(p));
    return found.map((p) => ({ target: { process: identityOf(p) }, ...options, onEscalate: undefined }));
  };
  let reports = await stopAll([{ target: { entry: ref, policy }, ...options }, ...adopted()]);
  let worst = reports.reduce<TerminateOutcome>((w, r) => (SEVERITY[r.outcome] > SEVERITY[w] ? r.outcome : w), "gone");
  for (let round = 1; round < ADOPTED_ROUNDS; round++) {
    const more = adopted();
    if (more.length === 0) break;
    reports = await stopAll(more);
    worst = reports.reduce<TerminateOutcome>((w, r) => (SEVERITY[r.outcome] > SEVERITY[w] ? r.outcome : w), worst);
  }
  return worst;
}

/** The ledger row, written before anything is launched. */
function recordStart(ctx: WrapperContext): Start {
  const { request } = ctx;
  const start: Start = { self: readNow.stat(process.pid), forks: forkCount(), startedAt: Date.now(), deadlineAt: null };
  start.deadlineAt = Number.isFinite(request.deadlineMs) ? start.startedAt + request.deadlineMs : null;
  ctx.recorder.started({
    id: ctx.id,
    boot_id: bootId(),
    wrapper_pid: process.pid,
    wrapper_start_ticks: start.self?.startTicks ?? null,
    command: JSON.stringify(request.command),
    cwd: ctx.cwd,
    session: request.session,
    name: request.name,
    started_at: start.startedAt,
    deadline_at: start.deadlineAt,
    grace_ms: Number.isFinite(request.graceMs) ? request.graceMs : null,
    first_signal: request.signal.name,
    keep_orphaned: request.keepOrphaned ? 1 : 0,
    pid_namespace: readNow.pidNamespace("self"),
    session_bound: request.sessionBound ? 1 : 0,
    ...agentOwner(ctx.env),
  });
  return start;
}

/** A stop request or our parent's death before the launch means "do not launch": the exit status then. */
async function refusedBeforeLaunch(ctx: WrapperContext, state: WrapperState): Promise<number | null> {
  // Signal handlers run on an event-loop turn, never inside the synchronous ledger wait:
  // give them one before deciding.
  await new Promise((resolve) => setImmediate(resolve));
  if (state.early !== null) return notStarted(ctx, "signal", state.early);
  // Starting the command would leave it with no owner.
  if (state.orphaned && !ctx.request.keepOrphaned) return notStarted(ctx, "parent-died", ctx.request.signal.number);
  return null;
}

function spawnCommand(ctx: WrapperContext, capture: Capture | null): Bun.Subprocess | { error: unknown } {
  try {
    // No cwd: ours is inherited as it is, also removed or named in bytes that are not UTF-8.
    const child = Bun.spawn(ctx.launch.cmd, {
      env: ctx.launch.env,
      stdio: ["inherit", capture?.stdio[0] ?? "inherit", capture?.stdio[1] ?? "inherit"],
      detached: true,
    });
    capture?.launched();
    return child;
  } catch (error) {
    capture?.close();
    return { error };
  }
}

/** How the command's processes are found again: its group, its leader, its cookie, the pids since our start. */
function commandRef(ctx: WrapperContext, child: Bun.Subprocess, start: Start): EntryRef {
  const leader = readNow.stat(child.pid);
  return {
    id: ctx.id,
    pgid: child.pid,
    leader: leader ? identityOf(leader) : null,
    // Everything of the command starts after the wrapper did.
    sinceTicks: start.self?.startTicks ?? leader?.startTicks ?? 0,
    since: start.forks === null ? undefined : { pid: process.pid, forks: start.forks },
  };
}

/** A signal or a parent death between the last check and the spawn found nothing to stop: act on it now. */
function actOnRequestsDuringLaunch(ctx: WrapperContext, state: WrapperState, endWith: EndWith): void {
  if (state.early !== null) endWith("signal", state.early, state.early);
  else if (state.orphaned && !ctx.request.keepOrphaned) endWith("parent-died", ctx.request.signal.number);
}

function announceLaunch(ctx: WrapperContext, child: Bun.Subprocess, ref: EntryRef, start: Start): void {
  ctx.recorder.spawned(child.pid, child.pid, ref.leader?.startTicks ?? null);
  // What start-up allocated is garbage now; the command may run for hours.
  Bun.gc(true);
  ctx.log.info({ id: ctx.id, pid: child.pid, command: ctx.request.command, deadlineAt: start.deadlineAt, session: ctx.request.session }, "started");
}

async function waitForExit(child: Bun.Subprocess, state: WrapperState): Promise<number> {
  const status = await child.exited;
  // Killed by a signal nobody here sent: whoever sent it (an agent ending the whole tree pid
  // by pid) has usually signalled us too, a moment apart. Let that handler run first, so the
  // entry says "killed by a signal" rather than "exited".
  if (child.signalCode && state.ending === null) await Bun.sleep(SIGNAL_SETTLE_MS);
  return status;
}

/** The command exited by itself: end what it left running (`cmd &`, setsid'd children). */
function endLeftovers(ctx: WrapperContext, state: WrapperState): void {
  // Kept, or its session's: the policy would end none of it.
  if (state.ending !== null || ctx.request.keepOrphaned || ctx.request.sessionBound || !state.ref) return;
  const { ref } = state;
  const { signal, graceMs, command } = ctx.request;
  const done = forksExecuted(ref, command).then(() => stopCommand(ctx, state, "leftovers", { signal: signal.number, graceMs, hurry: state.hurry.signal }));
  state.ending = { reason: "leftovers", done };
}

/** What this wrapper's stop on `path` may end (src/policy/lifecycle.ts). */
function policyOf(ctx: WrapperContext, path: StopPath): EntryPolicy {
  return entryPolicy(path, { keepOrphaned: ctx.request.keepOrphaned, sessionBound: ctx.request.sessionBound, asked: asksToBeKept(ctx.request.command.join(" ")) }, ctx.request.keep);
}

function recordEnd(ctx: WrapperContext, end: { record: EntryEnd; exitStatus: number }, start: Start): number {
  ctx.recorder.ended(end.record);
  ctx.log.info({ id: ctx.id, ...end.record, exitStatus: end.exitStatus, durationMs: Date.now() - start.startedAt }, "ended");
  return end.exitStatus;
}
