// How a run ends: the ledger row it records and the status the wrapper exits with.

import type { EndReason, EntryEnd } from "../ledger/entries.ts";
import type { TerminateOutcome } from "../stop/engine.ts";
import type { WrapperContext } from "./wrapper.ts";

export const EXIT_DEADLINE = 124;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;

export interface Ending {
  reason: EndReason;
  /** The signal that asked us to stop, for the 128+N exit status. */
  received?: number;
  done: Promise<TerminateOutcome>;
}

/** A terminating signal, or our parent's death, came before the launch: nothing was started. */
export function notStarted(ctx: WrapperContext, reason: "signal" | "parent-died", signal: number): number {
  const record: EntryEnd = { state: "killed", ended_at: Date.now(), exit_code: null, end_signal: null, reason, exit_status: 128 + signal };
  ctx.recorder.ended(record);
  ctx.log.info({ id: ctx.id, ...record }, `not started: ${reason === "signal" ? "signalled" : "parent died"} before launch`);
  return record.exit_status!;
}

/*
 * How the command ended            -> ledger row (state, reason)  -> exit status
 * exited by itself                 -> exited, null                -> its status (128+N: died of signal N)
 * ...leaving processes, ended      -> exited, leftovers           -> its status
 * the deadline                     -> killed, deadline            -> 124 (--preserve-status: its status)
 * signal N to the wrapper          -> killed, signal              -> 128+N
 * the wrapper's parent died        -> killed, parent-died         -> its status
 * `supervise kill`, SessionEnd     -> killed, manual/session-end  -> its status (the stop reason set
 *                                                                    by them turns "exited" into this)
 * signal or parent death before    -> killed, signal/parent-died  -> 128+N (not launched)
 *   the launch
 * not found / not executable       -> exited, null                -> 127 / 126
 */
/** What a run's end records, from how the command ended and what (if anything) ended it. */
export function describeEnd(
  ending: Pick<Ending, "reason" | "received"> | null,
  outcome: TerminateOutcome,
  child: Pick<Bun.Subprocess, "exitCode" | "signalCode">,
  status: number,
  preserveStatus: boolean,
): { record: EntryEnd; exitStatus: number } {
  const base = {
    ended_at: Date.now(),
    exit_code: child.exitCode,
    end_signal: child.signalCode ? String(child.signalCode).replace(/^SIG/, "") : null,
  };
  const done = (state: EntryEnd["state"], reason: EntryEnd["reason"], exitStatus: number) => ({ record: { ...base, state, reason, exit_status: exitStatus }, exitStatus });
  if (ending === null || ending.reason === "leftovers") return done("exited", ending === null || outcome === "gone" ? null : "leftovers", status);
  if (ending.reason === "deadline") return done("killed", "deadline", preserveStatus ? status : EXIT_DEADLINE);
  return done("killed", ending.reason, ending.received !== undefined ? 128 + ending.received : status);
}

export function failedToStart(ctx: WrapperContext, error: unknown): number {
  const code = (error as NodeJS.ErrnoException).code;
  const name = ctx.request.command[0]!;
  const exitStatus = code === "ENOENT" ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
  ctx.say(exitStatus === EXIT_NOT_FOUND ? `command not found: ${name}` : `cannot run ${name}: ${reasonText(code, error)}`);
  const record: EntryEnd = { state: "exited", ended_at: Date.now(), exit_code: exitStatus, end_signal: null, reason: null, exit_status: exitStatus };
  ctx.recorder.ended(record);
  ctx.log.info({ id: ctx.id, ...record, error: String((error as Error).message) }, "failed to start");
  return exitStatus;
}

function reasonText(code: string | undefined, error: unknown): string {
  if (code === "EACCES") return "permission denied";
  if (code === "ENOEXEC") return "exec format error";
  return (error as Error).message;
}
