// How a run ends: what the wrapper tells the ledger (src/entry/end.ts decides the row) and
// the status it exits with.

import type { WrapperEnd } from "../entry/end.ts";
import type { EndReason } from "../ledger/entries.ts";
import type { TerminateOutcome } from "../stop/engine.ts";
import type { WrapperContext } from "./context.ts";

export const EXIT_DEADLINE = 124;
/** The command itself needed SIGKILL after its deadline: 128 + 9. */
export const EXIT_KILLED_AFTER_DEADLINE = 137;
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
  const record: WrapperEnd = { by: "wrapper", at: Date.now(), stop: reason, outcome: "gone", exitCode: null, endSignal: null, exitStatus: 128 + signal };
  ctx.recorder.ended(record);
  ctx.log.info({ id: ctx.id, ...record }, `not started: ${reason === "signal" ? "signalled" : "parent died"} before launch`);
  return record.exitStatus;
}

/*
 * How the command ended            -> exit status (the ledger row: src/entry/end.ts)
 * exited by itself                 -> its status (128+N: died of signal N)
 * ...leaving processes, ended      -> its status
 * the deadline                     -> 124 (--preserve-status: its status)
 * signal N to the wrapper          -> 128+N
 * the wrapper's parent died        -> its status
 * `supervise kill`, SessionEnd     -> its status
 * signal or parent death before    -> 128+N (not launched)
 *   the launch
 * not found / not executable       -> 127 / 126
 */
/** What the wrapper knows of its run's end, for the ledger, and the status it exits with. */
export function describeEnd(
  ending: Pick<Ending, "reason" | "received"> | null,
  outcome: TerminateOutcome,
  child: Pick<Bun.Subprocess, "exitCode" | "signalCode">,
  status: number,
  preserveStatus: boolean,
): { record: WrapperEnd; exitStatus: number } {
  const exitStatus = wrapperStatus(ending, status, preserveStatus, child.signalCode === "SIGKILL");
  const record: WrapperEnd = {
    by: "wrapper",
    at: Date.now(),
    stop: wrapperStop(ending),
    outcome: ending === null ? "gone" : outcome,
    exitCode: child.exitCode,
    endSignal: child.signalCode ? String(child.signalCode).replace(/^SIG/, "") : null,
    exitStatus,
  };
  return { record, exitStatus };
}

/** `killed`: the command itself died of SIGKILL, which after a deadline is the grace's end: 137, as GNU timeout gives. */
function wrapperStatus(ending: Pick<Ending, "reason" | "received"> | null, status: number, preserveStatus: boolean, killed: boolean): number {
  // --idle-timeout is a limit as the deadline is: the same statuses.
  if (ending?.reason === "deadline" || ending?.reason === "stalled") return preserveStatus ? status : killed ? EXIT_KILLED_AFTER_DEADLINE : EXIT_DEADLINE;
  return ending?.received !== undefined ? 128 + ending.received : status;
}

/** The wrapper's own stops; a reason it never sets itself is none of them. */
function wrapperStop(ending: Pick<Ending, "reason"> | null): WrapperEnd["stop"] {
  const reason = ending?.reason;
  return reason === "deadline" || reason === "stalled" || reason === "signal" || reason === "parent-died" || reason === "leftovers" ? reason : null;
}

export function failedToStart(ctx: WrapperContext, error: unknown): number {
  const name = ctx.request.command[0]!;
  // execvp(3), as GNU timeout uses it, finds a directory or a file it may not run on PATH (`timeout 10 .`): 126, not 127.
  const onPath = (error as NodeJS.ErrnoException).code === "ENOENT" && !name.includes("/") ? unrunnableOnPath(name, ctx.env.PATH) : null;
  const code = onPath ?? (error as NodeJS.ErrnoException).code;
  const exitStatus = code === "ENOENT" ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
  ctx.say(exitStatus === EXIT_NOT_FOUND ? `command not found: ${name}` : `cannot run ${name}: ${reasonText(code, error)}`);
  const record: WrapperEnd = { by: "wrapper", at: Date.now(), stop: null, outcome: "gone", exitCode: exitStatus, endSignal: null, exitStatus };
  ctx.recorder.ended(record);
  ctx.log.info({ id: ctx.id, ...record, error: String((error as Error).message) }, "failed to start");
  return exitStatus;
}

/** What execvp would have met on PATH for `name`: EISDIR or EACCES for the first entry that exists, else null. */
function unrunnableOnPath(name: string, path: string | undefined): string | null {
  const { statSync, accessSync, constants } = require("node:fs") as typeof import("node:fs");
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    const candidate = `${dir || "."}/${name}`;
    const stat = statSync(candidate, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) return "EISDIR";
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      return "EACCES";
    }
  }
  return null;
}

function reasonText(code: string | undefined, error: unknown): string {
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  if (code === "ENOEXEC") return "exec format error";
  return (error as Error).message;
}
