// `supervise hook EVENT`: Claude Code's hook protocol. JSON on stdin, JSON on stdout,
// exit 0 always: a hook problem is reported in the output and one stderr line, never by
// blocking the agent.

import { writeErr, writeOut } from "../cli/output.ts";
import { UsageError } from "../errors.ts";
import { isBackgroundBash, readHookInput, stringField } from "../hooks/input.ts";
import { isReapDue } from "../hooks/periodic-reap.ts";
import { stateDir } from "../state-dir.ts";

// Config, the ledger and the reaper are imported inside each event: PreToolUse runs before
// every Bash call, and its usual answer ("nothing to do") must not pay for them.
const EVENTS: Record<string, () => Promise<void>> = {
  "session-start": sessionStart,
  "pre-tool-use": preToolUse,
  "session-end": sessionEnd,
};

/** Internal: the detached second half of session-end (grace, SIGKILL, records). */
const INTERNAL: Record<string, (args: string[]) => Promise<void>> = {
  "session-end-follow-up": sessionEndFollowUp,
  "periodic-reap": periodicReap,
};

export default async function hook(args: string[]): Promise<number> {
  const [event, ...rest] = args;
  if (event !== undefined && Object.hasOwn(INTERNAL, event)) {
    await INTERNAL[event]!(rest);
    return 0;
  }
  if (event === undefined || !Object.hasOwn(EVENTS, event)) {
    throw new UsageError(`unknown hook event '${event ?? ""}' (known: ${Object.keys(EVENTS).join(", ")})`);
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  await EVENTS[event]!();
  return 0;
}

function note(message: string): Promise<number> {
  return writeErr(`supervise: hook: ${message}\n`);
}

/** The hook's JSON; a stdout that cannot be written is reported, never an exit status. */
async function answer(output: unknown): Promise<void> {
  try {
    await writeOut(`${JSON.stringify(output)}\n`);
  } catch (error) {
    await note((error as Error).message);
  }
}

async function sessionStart(): Promise<void> {
  const input = await readHookInput("session-start");
  if (input.problem) await note(`${input.problem}; sweeping anyway`);
  const dir = stateDir();
  let config;
  try {
    const { loadConfig } = await import("../config/load.ts");
    ({ config } = await loadConfig({ stateDir: dir, cwd: stringField(input.data, "cwd") ?? process.cwd() }));
  } catch (error) {
    // Reaping with defaults could end what the user's config protects: skip the sweep.
    await note(`${(error as Error).message}; not reaping`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" }, systemMessage: `supervise: ${(error as Error).message}` });
    return;
  }
  try {
    const { sweep } = await import("../reap/sweep.ts");
    const { sessionStartOutput } = await import("../hooks/session-start.ts");
    const session = stringField(input.data, "session_id");
    const { report, running } = await sweep({ config, stateDir: dir, dryRun: false, session: null, trigger: "session-start", triggerSession: session });
    if (report.errors.length) await note(report.errors.join("; "));
    await answer(sessionStartOutput(report, running, config, Date.now()));
  } catch (error) {
    await note(`reap failed: ${(error as Error).message}`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" } });
  }
}

/** Never blocks a tool call over our own trouble: `{}` lets it run as asked. */
async function preToolUse(): Promise<void> {
  const input = await readHookInput("pre-tool-use");
  const { data } = input;
  if (input.problem && input.dropped.length === 0) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  await startPeriodicReapIfDue(stringField(data, "cwd") ?? process.cwd(), stringField(data, "session_id"));
  // A mistyped field may be the very one that says what the call is: rewrite nothing.
  if (input.problem) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  if (!isBackgroundBash(data)) return answer({});
  try {
    const { preToolUseOutput } = await import("../hooks/pre-tool-use.ts");
    const { loadConfig } = await import("../config/load.ts");
    const { selfCommand } = await import("../hooks/self.ts");
    const dir = stateDir();
    const { config } = await loadConfig({ stateDir: dir, cwd: stringField(data, "cwd") ?? process.cwd() });
    const output = preToolUseOutput(data, {
      ...selfCommand(),
      stateDir: dir,
      // A project's .supervise.json is found again from the same cwd; an explicit file is not.
      configPath: process.env.SUPERVISE_CONFIG || null,
      decision: config.hooks.preToolUseDecision,
    });
    await answer(output ?? {});
  } catch (error) {
    await answerUntouched(`not wrapping the background command: ${(error as Error).message}`);
  }
}

async function answerUntouched(problem: string): Promise<void> {
  await note(problem);
  await answer({});
}

/** SessionEnd has no decision control: its answer is always `{}`, whatever happened. */
async function sessionEnd(): Promise<void> {
  try {
    await endSession();
  } finally {
    await answer({});
  }
}

async function endSession(): Promise<void> {
  const input = await readHookInput("session-end");
  const session = stringField(input.data, "session_id");
  // Which session, and why it ended, must be as the agent said: otherwise end nothing.
  const unsure = input.problem && (input.dropped.length === 0 || input.dropped.includes("session_id") || input.dropped.includes("reason"));
  if (unsure) return void (await note(`${input.problem}; nothing ended`));
  if (!session) return void (await note("no session_id in the SessionEnd input; nothing ended"));
  if (input.problem) await note(input.problem);
  const reason = stringField(input.data, "reason") ?? "other";
  const cwd = stringField(input.data, "cwd") ?? process.cwd();
  try {
    const { loadConfig } = await import("../config/load.ts");
    const dir = stateDir();
    const { config } = await loadConfig({ stateDir: dir, cwd });
    // clear and resume end a session but not the process: commands may live on.
    if (!config.hooks.sessionEndKillOn.includes(reason)) return;
    const { existingLedger } = await import("../ledger/open.ts");
    const db = existingLedger(dir);
    const { signalSessionEntries, signalSessionLeftovers } = await import("../hooks/session-end.ts");
    const stopping = db ? signalSessionEntries(db, session) : [];
    const leftovers = await signalSessionLeftovers(db, config, session);
    // One line even when nothing runs: the log is how a user checks that SessionEnd fired.
    const { openLog } = await import("../log.ts");
    openLog(dir).info({ session, reason, stopping, leftovers }, "session end");
    if (stopping.length === 0 && leftovers.length === 0) return;
    const { spawnDetachedSelf } = await import("../hooks/self.ts");
    spawnDetachedSelf(["hook", "session-end-follow-up", session, cwd]);
  } catch (error) {
    await note(`session-end: ${(error as Error).message}`);
  }
}

/** `hook session-end-follow-up SESSION CWD`: the grace period and SIGKILL, for entries and leftovers alike. */
async function sessionEndFollowUp(args: string[]): Promise<void> {
  const [session, cwd] = args;
  if (!session || !cwd) throw new UsageError("session-end-follow-up needs a session id and the session's cwd");
  const { loadConfig } = await import("../config/load.ts");
  const dir = stateDir();
  const { config } = await loadConfig({ stateDir: dir, cwd });
  const { existingLedger } = await import("../ledger/open.ts");
  const db = existingLedger(dir);
  const { endSessionLeftovers, sessionEntriesToEnd } = await import("../hooks/session-end.ts");
  const { stopEntries } = await import("../stop/stop-entry.ts");
  const entries = db ? stopEntries(db, sessionEntriesToEnd(db, session), { reason: "session-end", signalledBefore: true }) : [];
  await Promise.all([entries, endSessionLeftovers(db, config, session, dir)]);
}

/**
 * The throttled background sweep; never delays or changes the tool call's answer. It gets
 * the tool call's cwd, so it reads the same project config as the hook would.
 */
async function startPeriodicReapIfDue(cwd: string, session: string | null): Promise<void> {
  try {
    const dir = stateDir();
    if (!(await isReapDue(dir))) return;
    const { claimReap } = await import("../hooks/periodic-reap.ts");
    if (!(await claimReap(dir))) return;
    const { spawnDetachedSelf } = await import("../hooks/self.ts");
    spawnDetachedSelf(["hook", "periodic-reap", cwd, ...(session ? [session] : [])]);
  } catch (error) {
    await note(`periodic reap not started: ${(error as Error).message}`);
  }
}

/** `hook periodic-reap CWD [SESSION]`, started by startPeriodicReapIfDue. */
async function periodicReap(args: string[]): Promise<void> {
  const [cwd, session] = args;
  if (!cwd) throw new UsageError("periodic-reap needs the tool call's cwd");
  const { loadConfig } = await import("../config/load.ts");
  const { scheduleNext } = await import("../hooks/periodic-reap.ts");
  const { parseDuration } = await import("../time/duration.ts");
  const dir = stateDir();
  const { config } = await loadConfig({ stateDir: dir, cwd });
  const intervalMs = parseDuration(config.hooks.reapInterval, "hooks.reapInterval");
  if (Number.isFinite(intervalMs)) {
    const { sweep } = await import("../reap/sweep.ts");
    await sweep({ config, stateDir: dir, dryRun: false, session: null, trigger: "pre-tool-use", triggerSession: session ?? null });
  }
  await scheduleNext(dir, intervalMs);
}
