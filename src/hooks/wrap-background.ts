// The rewrite of a background shell command: it runs under `supervise run --session <session_id>
// --session-bound`, its text byte for byte, behind a mirror the agent's permission rules judge
// as the original. Loaded by the PreToolUse hook only for a call it wraps.

import type { AgentName } from "../ownership/agents.ts";
import { asksToBeKept } from "../policy/asks-keep.ts";
import { shellQuote } from "../render/shell-quote.ts";
import type { HookDialect, PreToolUseDecision } from "./dialect.ts";
import { stringField } from "./input.ts";

export interface WrapSettings {
  /** Absolute paths: the rewritten command must not depend on PATH. */
  bun: string;
  cli: string;
  /** The hook's own state dir and config, passed on: the command runs in the Bash tool's environment, not the hook's. */
  stateDir: string;
  configPath: string | null;
  decision: PreToolUseDecision;
  /** `--deadline` of every wrapped command (hooks.deadline; "none": its session bounds it). */
  deadline: string;
  /**
   * Where a command too long to be in the rewrite twice goes, named before it is written (see
   * run/arg-file.ts); `write` is called only once the rewrite is known to fit. None: such a
   * command is left as it is.
   */
  commandFile?: () => { path: string; write(command: string): void };
}

/** The kernel's limit for one argument (MAX_ARG_STRLEN), its terminating NUL included. */
export const ARG_LIMIT = 128 * 1024;
/** What the agent adds around the command in that one argument: Claude Code's snapshot prelude (about 500 bytes), Gemini's background-pid wrapper. */
const AGENT_PRELUDE = 4096;

/**
 * The length of the one argument the agent gives its shell for `command`, at most: the agent
 * runs it as `bash -c '<prelude> eval '<command>' …'`, each `'` in it spelled `'"'"'`.
 */
export function agentArgumentBytes(command: string): number {
  let quotes = 0;
  for (let at = command.indexOf("'"); at !== -1; at = command.indexOf("'", at + 1)) quotes++;
  return Buffer.byteLength(command) + 4 * quotes + AGENT_PRELUDE;
}

/** Why a background command is left as it is, said on stderr. */
export class NotWrapped extends Error {}

/** A label for `ls` from the tool call's description, kept short. */
const NAME_MAX = 60;

/** The hook's answer, or null for "nothing to do" (print nothing, exit 0). */
export function preToolUseOutput(data: Record<string, unknown>, settings: WrapSettings, dialect: HookDialect): unknown {
  const toolInput = dialect.wrappable(data);
  if (!toolInput) return null;
  const command = toolInput.command;
  if (typeof command !== "string" || command.trim() === "") return null;
  // A NUL cannot pass through an argument vector; such a command is left as it is.
  if (command.includes("\0") || isSupervised(command, settings)) return null;
  const description = typeof toolInput.description === "string" ? toolInput.description.trim() : "";
  const options: WrapOptions = {
    ...settings,
    session: stringField(data, "session_id"),
    name: description ? description.slice(0, NAME_MAX) : null,
    keep: asksToBeKept(command),
  };
  return dialect.rewrite(toolInput, rewriteOf(command, options, settings.commandFile, judgedUpTo(dialect.agent, command)), settings.decision);
}

/**
 * Claude Code 2.1.332 parses a Bash command for its permission rules only up to 10,000
 * characters: past that a denied command is not denied, wrapped or not (measured, -p mode).
 * A rewrite must not carry a command the agent would judge past that length.
 */
const JUDGED_LENGTH: Partial<Record<AgentName, number>> = { "claude-code": 10_000 };

function judgedUpTo(agent: AgentName, command: string): number {
  const limit = JUDGED_LENGTH[agent];
  // Not judged even as it is: the rewrite loses nothing.
  return limit === undefined || command.length > limit ? Infinity : limit;
}

/**
 * The rewritten command: with the original in it twice while that fits, else once, the wrapper
 * reading it from a file (`run --arg-file`). What fits is one argument under the kernel's
 * limit, at no more than `judged` characters. Throws NotWrapped when neither does.
 */
function rewriteOf(command: string, options: WrapOptions, fileFor: WrapSettings["commandFile"], judged: number): string {
  const fits = (rewrite: string) => agentArgumentBytes(rewrite) < ARG_LIMIT && rewrite.length <= judged;
  const inline = withPolicyMirror(command, wrapCommand(command, options));
  if (fits(inline)) return inline;
  const commandFile = fileFor?.();
  const once = commandFile ? withPolicyMirror(command, wrapCommand(command, { ...options, argFile: commandFile.path })) : null;
  if (once !== null && fits(once)) {
    commandFile!.write(command);
    return once;
  }
  const rewrite = once ?? inline;
  const how = once === null ? "with the command in it twice" : "even with the command in it once";
  if (agentArgumentBytes(rewrite) >= ARG_LIMIT) {
    throw new NotWrapped(`wrapped ${how}, the agent's shell would get one argument of about ${agentArgumentBytes(rewrite)} bytes, past the kernel's limit of ${ARG_LIMIT}; leaving it as it is`);
  }
  throw new NotWrapped(`wrapped ${how}, it would be ${rewrite.length} characters, past the ${judged} up to which the agent judges a command by the permission rules; leaving it as it is`);
}

/**
 * Both agents judge the rewritten command by the user's permission rules (deny `rm -rf`),
 * and neither looks into supervise's arguments: a denied command would run. A leading
 * `bash -c "<original>"` is a script both look into and judge as the original (Claude Code
 * 2.1.332, Gemini CLI 0.61.0); behind `false &&`, bash never runs it. Double quotes, since
 * Gemini only strips single ones: a `'\''` in the script left it unparsable, and allowed.
 */
export function withPolicyMirror(original: string, wrapped: string): string {
  return `false && bash -c ${doubleQuoted(original)}; ${wrapped}`;
}

/** A word bare when plainly safe, else in double quotes: only `\`, `"`, `$` and backquote are special there, each escaped. */
export function doubleQuoted(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `"${text.replace(/[\\"$`]/g, "\\$&")}"`;
}

export interface WrapOptions extends Omit<WrapSettings, "decision"> {
  session: string | null;
  name: string | null;
  /** The command asks to outlive its session (SUPERVISE_KEEP=1): `--keep-orphaned`. */
  keep?: boolean;
  /** The command's text is in this file (`run --arg-file`), not in the rewrite. */
  argFile?: string;
}


/**
 * `SUPERVISE_HOME=… BUN CLI run [--session S --session-bound] --deadline D [--name N] -- bash -c 'COMMAND'`:
 * the original text reaches bash as one argument, byte for byte, whatever quotes, `$()`,
 * here-docs or newlines it holds. With `argFile`: `… --arg-file FILE -- bash -c`, and the
 * text is the file's.
 */
export function wrapCommand(command: string, options: WrapOptions): string {
  const env = [`SUPERVISE_HOME=${shellQuote(options.stateDir)}`];
  if (options.configPath) env.push(`SUPERVISE_CONFIG=${shellQuote(options.configPath)}`);
  const argv = [options.bun, options.cli, "run"];
  // What `cmd &` leaves when bash returns is still the session's (a dev server): its session ends it.
  if (options.session) argv.push("--session", options.session, "--session-bound");
  // The session bounds it, not run.deadline, which is for the commands a person wraps.
  argv.push("--deadline", options.deadline);
  if (options.name) argv.push("--name", options.name);
  if (options.keep) argv.push("--keep-orphaned");
  if (options.argFile) argv.push("--arg-file", options.argFile, "--", "bash", "-c");
  else argv.push("--", "bash", "-c", command);
  return [...env, ...argv.map(shellQuote)].join(" ");
}

/**
 * Already under supervise: the whole command is one supervised run (ours, with any state dir,
 * after its policy mirror; or one that starts with `supervise`). `supervise ls; npm run dev`
 * is not: what follows a control operator would run unsupervised.
 */
export function isSupervised(command: string, settings: Pick<WrapSettings, "cli">): boolean {
  const words = simpleCommandWords(withoutPolicyMirror(command));
  if (words === null) return false;
  const at = words.findIndex((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  if (at === -1) return false;
  const program = words[at]!;
  if (program.slice(program.lastIndexOf("/") + 1) === "supervise") return true;
  return words[at + 1] === settings.cli && words[at + 2] === "run";
}

const MIRROR_START = "false && bash -c ";

/** What follows withPolicyMirror's `false && bash -c WORD; `, or the command as it is. */
function withoutPolicyMirror(command: string): string {
  if (!command.startsWith(MIRROR_START)) return command;
  const end = shellWordEnd(command, MIRROR_START.length);
  return end !== null && command.startsWith("; ", end) ? command.slice(end + 2) : command;
}

/** Where the shell word starting at `from` ends (quotes followed); null when a quote is left open. */
function shellWordEnd(text: string, from: number): number | null {
  let i = from;
  while (i < text.length && !/[\s;&|()<>]/.test(text[i]!)) {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return null;
      i = j + 1;
    } else i += c === "\\" ? 2 : 1;
  }
  return i;
}

/**
 * The words of one simple command, unquoted; null when the text is more than that: a control
 * operator (`;`, `&`, `|`, `&&`, `||`, a newline, a subshell's parentheses) outside quotes, a
 * substitution that bash would run before the command (`$(…)`, backticks, `<(…)`), or an
 * open quote. Redirections (`2>&1`, `&>`) are part of the command. Unsure is "not one".
 */
export function simpleCommandWords(text: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  const add = (chars: string) => (word = (word ?? "") + chars);
  const end = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === " " || c === "\t") end();
    else if (c === "\n" || c === "\r") {
      // A newline that only ends the text ends nothing else.
      if (text.slice(i).trim() !== "") return null;
      break;
    } else if (c === "#" && word === null) {
      // A comment runs to the end of its line; a command may follow on the next.
      if (/[\n\r]/.test(text.slice(i))) return null;
      break;
    } else if (c === ";" || c === "|" || c === "(" || c === ")" || c === "`") return null;
    else if (c === "&") {
      // `>&`, `<&` and `&>` redirect; any other `&` is an operator.
      if (text[i - 1] !== ">" && text[i - 1] !== "<" && next !== ">") return null;
      add(c);
    } else if ((c === "$" || c === "<" || c === ">") && next === "(") return null;
    else if (c === "\\") {
      if (next === undefined) return null;
      // A backslash-newline joins the lines.
      if (next !== "\n") add(next);
      i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      add(text.slice(i + 1, close));
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let inner = "";
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === "`" || (d === "$" && text[j + 1] === "(")) return null;
        if (d === "\\" && j + 1 < text.length && "$`\"\\\n".includes(text[j + 1]!)) {
          if (text[j + 1] !== "\n") inner += text[j + 1];
          j++;
        } else inner += d;
      }
      if (j >= text.length) return null;
      add(inner);
      i = j;
    } else add(c);
  }
  end();
  return words;
}
