// PreToolUse (Gemini: BeforeTool): a shell command the agent is about to start in the
// background is rewritten to run under `supervise run --session <session_id> --session-bound`,
// so it gets a ledger entry and its whole tree ended with its session (SessionEnd, or the next
// SessionStart once the agent is gone). Everything else passes untouched.

import { workingDirectory } from "../cwd.ts";
import { stateDir } from "../state-dir.ts";
import { answer, answerUntouched, note } from "./answer.ts";
import { mayBeBlindKill } from "./blind-kill/may-be.ts";
import type { Config } from "../config/defaults.ts";
import type { AgentName } from "../ownership/agents.ts";
import { dialectOf, type HookDialect } from "./dialect.ts";
import { readHookInput, stringField } from "./input.ts";
import { startPeriodicReapIfDue } from "./periodic-reap.ts";
import { withNotices } from "./tell.ts";

export type { PreToolUseDecision } from "./dialect.ts";

/** Never blocks a tool call over our own trouble: `{}` lets it run as asked. */
export async function preToolUseHook(agent: AgentName): Promise<void> {
  const dialect = await dialectOf(agent);
  const input = await readHookInput("pre-tool-use");
  const { data } = input;
  if (input.problem && input.dropped.length === 0) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  // A removed working directory is still where the call runs: process.cwd() would throw.
  const cwd = stringField(data, "cwd") ?? workingDirectory().path;
  await startPeriodicReapIfDue(cwd, stringField(data, "session_id"));
  // A mistyped field may be the very one that says what the call is: rewrite nothing.
  if (input.problem) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  const shell = dialect.shellCommand(data);
  const guarded = shell !== null && mayBeBlindKill(shell);
  if (!guarded && !dialect.wrappable(data)) return answer(await told({}, data, dialect));
  try {
    // node:fs and the config come in only for the background calls and possible blind kills, not for every tool call.
    const { loadConfig } = await import("../config/load.ts");
    const dir = stateDir();
    const loaded = await loadConfig({ stateDir: dir, cwd }).then(
      ({ config }) => ({ config, problem: null }),
      (error: Error) => ({ config: null, problem: error }),
    );
    if (guarded) {
      const refusal = await blindKillAnswer(shell, data, dialect, dir, loaded.config ?? (await guardConfig(loaded.problem!, dir, cwd)));
      if (refusal !== null) return answer(await told(refusal, data, dialect));
    }
    if (!dialect.wrappable(data)) return answer(await told({}, data, dialect));
    if (loaded.problem) throw loaded.problem;
    const { config } = loaded;
    // The rewrite and what it needs come in only for a background call.
    const { preToolUseOutput } = await import("./wrap-background.ts");
    const { selfCommand } = await import("./self.ts");
    const output = preToolUseOutput(data, {
      ...selfCommand(),
      stateDir: dir,
      // A project's .supervise.json is found again from the same cwd; an explicit file is not.
      configPath: process.env.SUPERVISE_CONFIG || null,
      decision: config.hooks.preToolUseDecision,
      deadline: String(config.hooks.deadline),
      commandFile: () => {
        const { nextCommandFile, writeCommandFile } = require("../run/arg-file.ts") as typeof import("../run/arg-file.ts");
        const path = nextCommandFile(dir);
        return { path, write: (command) => writeCommandFile(dir, path, command) };
      },
    }, dialect);
    await answer(await told(output ?? {}, data, dialect));
  } catch (error) {
    await answerUntouched(`not wrapping the background command: ${(error as Error).message}`);
  }
}


/**
 * The config the guard judges with when the config does not load: a broken .supervise.json (a
 * cloned repository's) must neither switch the guard off nor take the user's own settings
 * away, so the user's files alone; where those fail too, the defaults.
 */
async function guardConfig(problem: Error, dir: string, cwd: string | undefined): Promise<Config> {
  const { loadConfig } = await import("../config/load.ts");
  try {
    const { config } = await loadConfig({ stateDir: dir, cwd, trustedOnly: true, quiet: true });
    await note(`${problem.message}; judging the kill command with the user's config alone`);
    return config;
  } catch {
    await note(`${problem.message}; judging the kill command with the default config`);
    const { DEFAULT_CONFIG } = await import("../config/defaults.ts");
    return DEFAULT_CONFIG;
  }
}

/**
 * The guard's ask or deny, or null to go on. Never a rewrite: the user or the model sees the
 * command as written. A guard that fails answers as one that found something: a command it
 * cannot read may still signal by name or port, and is never let through unseen.
 */
async function blindKillAnswer(command: string, data: Record<string, unknown>, dialect: HookDialect, dir: string, config: Config): Promise<object | null> {
  const mode = config.hooks.blindKill;
  if (mode === "off") return null;
  // An ask nobody can answer would hold the agent forever (Gemini headless): refused instead.
  const refuse = (reason: string) => dialect.refuse(mode === "ask" && dialect.canAsk?.() === false ? "deny" : mode, reason);
  try {
    const { blindKillReason } = await import("./blind-kill/guard.ts");
    const reason = await blindKillReason(command, dir, config, { session: stringField(data, "session_id"), uid: process.getuid!() });
    return reason === null ? null : refuse(reason);
  } catch (error) {
    await note(`could not judge the kill command: ${(error as Error).message}`);
    return refuse(`supervise could not work out what this command would signal (${(error as Error).message}); see what runs with supervise ps first`);
  }
}

/** The answer with the session's untold notices, where this agent's model reads them. */
async function told(output: object, data: Record<string, unknown>, dialect: HookDialect): Promise<object> {
  return dialect.tellsAtPreToolUse ? withNotices(output, "pre-tool-use", data, dialect) : output;
}
