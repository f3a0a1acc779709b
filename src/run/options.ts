// `supervise run [OPTIONS] -- COMMAND [ARG...]`: flags, then the command, resolved against config.

import { parseOptions, stringOption, type OptionSpec } from "../cli/parse-options.ts";
import type { Config } from "../config/defaults.ts";
import { UsageError } from "../errors.ts";
import { AGENTS } from "../ownership/agents.ts";
import { parseSignal, type Signal } from "../proc/signals.ts";
import { parseDuration } from "../time/duration.ts";
import type { KeepSettings } from "../policy/keep.ts";

/** Usage errors of `run` exit 125, like GNU timeout's own failures. */
export const RUN_USAGE_EXIT = 125;

export const RUN_FLAGS: OptionSpec = {
  deadline: { short: "d", value: true },
  grace: { short: "g", value: true },
  // GNU timeout's spellings.
  "kill-after": { short: "k", value: true },
  verbose: { short: "v" },
  foreground: {},
  signal: { short: "s", value: true },
  session: { value: true },
  name: { short: "n", value: true },
  "keep-orphaned": {},
  "session-bound": {},
  "preserve-status": {},
  "idle-timeout": { value: true },
  capture: {},
  config: { value: true },
  "arg-file": { value: true },
};

export interface RunArgs {
  flags: Record<string, string | true | undefined>;
  command: string[];
}

export function parseRunArgs(args: readonly string[]): RunArgs {
  const { options, positionals } = parseOptions(args, RUN_FLAGS, { stopAtPositional: true });
  if (positionals.length === 0) throw new UsageError("missing command (usage: supervise run [OPTIONS] -- COMMAND [ARG...])");
  if (positionals[0] === "") throw new UsageError("empty command name");
  return { flags: options, command: positionals };
}

export interface RunRequest {
  command: string[];
  /** Infinity: no deadline. */
  deadlineMs: number;
  /** Infinity: never SIGKILL. */
  graceMs: number;
  signal: Signal;
  session: string | null;
  name: string | null;
  keepOrphaned: boolean;
  /** What the command leaves at its exit stays tied to its session (ended by SessionEnd, or as session-gone), not ended then. */
  sessionBound: boolean;
  preserveStatus: boolean;
  /** One stderr line per signal the deadline sends, as GNU timeout -v. */
  verbose: boolean;
  /** Copy stdout/stderr to the entry's output file, at most this many bytes kept; null: no copy. */
  captureMaxBytes: number | null;
  /** What no automatic stop of the wrapper ends (reap.protect, reap.sessionKeep). */
  keep: KeepSettings;
  /** run.stallAfter: how long without progress before the command is reported stalled. */
  stallAfterMs: number;
  /** --idle-timeout (run.idleTimeout): no progress this long ends the command; Infinity: never (the default). */
  idleTimeoutMs: number;
}

export function resolveRunRequest(args: RunArgs, config: Config, env: NodeJS.ProcessEnv): RunRequest {
  const { flags } = args;
  const fromFlag = (name: string) => stringOption(flags, name);
  const deadline = fromFlag("deadline");
  if (flags.foreground === true) {
    throw new UsageError("--foreground is not supported: supervise runs the command in a session of its own, away from the terminal, so that its whole tree can be ended; for a command that must read the terminal, use GNU timeout --foreground");
  }
  if (flags.grace !== undefined && flags["kill-after"] !== undefined) throw new UsageError("--grace and --kill-after (-k) are the same option: give one");
  const grace = fromFlag("grace") ?? fromFlag("kill-after");
  const signal = fromFlag("signal");
  const session = fromFlag("session") ?? (agentSession(env) || env.SUPERVISE_SESSION || null);
  // Tied to nothing, what it left would be nobody's to end.
  if (flags["session-bound"] === true && session === null) throw new UsageError("--session-bound needs a session (--session ID, or the agent's session in the environment)");
  return {
    command: args.command,
    deadlineMs: deadline !== undefined ? parseDuration(deadline, "--deadline") : parseDuration(config.run.deadline, "run.deadline"),
    graceMs: grace !== undefined ? parseDuration(grace, flags.grace !== undefined ? "--grace" : "--kill-after") : parseDuration(config.run.grace, "run.grace"),
    signal: signal !== undefined ? parseSignal(signal, "--signal") : parseSignal(config.run.signal, "run.signal"),
    session,
    name: fromFlag("name") ?? null,
    // SUPERVISE_KEEP=1 in the wrapper's environment is in its command's too: kept, as the contract says.
    keepOrphaned: flags["keep-orphaned"] === true || config.run.onOrphan === "keep" || env.SUPERVISE_KEEP === "1",
    sessionBound: flags["session-bound"] === true,
    preserveStatus: flags["preserve-status"] === true,
    verbose: flags.verbose === true,
    captureMaxBytes: flags.capture === true ? config.run.captureMaxBytes : null,
    keep: { protect: config.reap.protect, sessionKeep: config.reap.sessionKeep },
    stallAfterMs: parseDuration(config.run.stallAfter, "run.stallAfter"),
    idleTimeoutMs: fromFlag("idle-timeout") !== undefined ? parseDuration(fromFlag("idle-timeout")!, "--idle-timeout") : parseDuration(config.run.idleTimeout, "run.idleTimeout"),
  };
}

/** The session of the agent the command runs under, as its environment names it. */
function agentSession(env: NodeJS.ProcessEnv): string | undefined {
  for (const { sessionVar } of AGENTS) if (sessionVar && env[sessionVar]) return env[sessionVar];
  return undefined;
}
