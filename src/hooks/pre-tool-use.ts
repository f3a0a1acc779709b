// PreToolUse (Gemini: BeforeTool): a shell command the agent is about to start in the
// background is rewritten to run under `supervise run --session <session_id>`, so it gets a
// ledger entry, a deadline and its whole tree ended with it. Everything else passes untouched.

import { shellQuote } from "../render/shell-quote.ts";
import { stateDir } from "../state-dir.ts";
import { answer, answerUntouched } from "./answer.ts";
import type { AgentName } from "../ownership/agents.ts";
import type { HookDialect, PreToolUseDecision } from "./dialect.ts";
import { readHookInput, stringField } from "./input.ts";
import { startPeriodicReapIfDue } from "./periodic-reap.ts";
import { selfCommand } from "./self.ts";

export type { PreToolUseDecision } from "./dialect.ts";

export interface WrapSettings {
  /** Absolute paths: the rewritten command must not depend on PATH. */
  bun: string;
  cli: string;
  /** The hook's own state dir and config, passed on: the command runs in the Bash tool's environment, not the hook's. */
  stateDir: string;
  configPath: string | null;
  decision: PreToolUseDecision;
}

/** A label for `ls` from the tool call's description, kept short. */
const NAME_MAX = 60;

/** Never blocks a tool call over our own trouble: `{}` lets it run as asked. */
export async function preToolUseHook(agent: AgentName): Promise<void> {
  const dialect = await dialectOf(agent);
  const input = await readHookInput("pre-tool-use");
  const { data } = input;
  if (input.problem && input.dropped.length === 0) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  await startPeriodicReapIfDue(stringField(data, "cwd") ?? process.cwd(), stringField(data, "session_id"));
  // A mistyped field may be the very one that says what the call is: rewrite nothing.
  if (input.problem) return answerUntouched(`${input.problem}; leaving the tool call as it is`);
  if (!dialect.wrappable(data)) return answer({});
  try {
    // node:fs and the config come in only for the background calls, not for every tool call.
    const { loadConfig } = await import("../config/load.ts");
    const dir = stateDir();
    const { config } = await loadConfig({ stateDir: dir, cwd: stringField(data, "cwd") ?? process.cwd() });
    const output = preToolUseOutput(data, {
      ...selfCommand(),
      stateDir: dir,
      // A project's .supervise.json is found again from the same cwd; an explicit file is not.
      configPath: process.env.SUPERVISE_CONFIG || null,
      decision: config.hooks.preToolUseDecision,
    }, dialect);
    await answer(output ?? {});
  } catch (error) {
    await answerUntouched(`not wrapping the background command: ${(error as Error).message}`);
  }
}

/** Each agent's dialect, loaded when its hook runs. */
async function dialectOf(agent: AgentName): Promise<HookDialect> {
  if (agent === "gemini") return (await import("./agents/gemini.ts")).gemini;
  if (agent === "codex") return (await import("./agents/codex.ts")).codex;
  return (await import("./agents/claude-code.ts")).claudeCode;
}

/** The hook's answer, or null for "nothing to do" (print nothing, exit 0). */
export function preToolUseOutput(data: Record<string, unknown>, settings: WrapSettings, dialect: HookDialect): unknown {
  const toolInput = dialect.wrappable(data);
  if (!toolInput) return null;
  const command = toolInput.command;
  if (typeof command !== "string" || command.trim() === "") return null;
  // A NUL cannot pass through an argument vector; such a command is left as it is.
  if (command.includes("\0") || isSupervised(command, settings)) return null;
  const description = typeof toolInput.description === "string" ? toolInput.description.trim() : "";
  const wrapped = wrapCommand(command, {
    ...settings,
    session: stringField(data, "session_id"),
    name: description ? description.slice(0, NAME_MAX) : null,
    keep: asksToBeKept(command),
  });
  return dialect.rewrite(toolInput, withPolicyMirror(command, wrapped), settings.decision);
}

/**
 * Both agents judge the rewritten command by the user's permission rules (deny `rm -rf`),
 * and neither looks into supervise's arguments: a denied command would run. A leading
 * `bash -c '<original>'` is a script both look into and judge as the original (Claude Code
 * 2.1.332, Gemini CLI 0.61.0); behind `false &&`, bash never runs it.
 */
export function withPolicyMirror(original: string, wrapped: string): string {
  return `false && bash -c ${shellQuote(original)}; ${wrapped}`;
}

export interface WrapOptions extends Omit<WrapSettings, "decision"> {
  session: string | null;
  name: string | null;
  /** The command asks to outlive its session (SUPERVISE_KEEP=1): `--keep-orphaned`. */
  keep?: boolean;
}

/** The rule the agent is told: what it starts with SUPERVISE_KEEP=1 outlives the session. Anywhere in the text: keeping too much is the safe side. */
export function asksToBeKept(command: string): boolean {
  return /(?:^|[^A-Za-z0-9_])SUPERVISE_KEEP=1(?![0-9])/.test(command);
}

/**
 * `SUPERVISE_HOME=… BUN CLI run [--session S] [--name N] -- bash -c 'COMMAND'`: the original
 * text reaches bash as one argument, byte for byte, whatever quotes, `$()`, here-docs or
 * newlines it holds.
 */
export function wrapCommand(command: string, options: WrapOptions): string {
  const env = [`SUPERVISE_HOME=${shellQuote(options.stateDir)}`];
  if (options.configPath) env.push(`SUPERVISE_CONFIG=${shellQuote(options.configPath)}`);
  const argv = [options.bun, options.cli, "run"];
  if (options.session) argv.push("--session", options.session);
  if (options.name) argv.push("--name", options.name);
  if (options.keep) argv.push("--keep-orphaned");
  argv.push("--", "bash", "-c", command);
  return [...env, ...argv.map(shellQuote)].join(" ");
}

/** Already under supervise: ours (any state dir), or a command that starts with `supervise`. */
export function isSupervised(command: string, settings: Pick<WrapSettings, "cli">): boolean {
  if (command.includes(`${shellQuote(settings.cli)} run `)) return true;
  return /^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\S*\/)?supervise(?:\s|$)/.test(command);
}
