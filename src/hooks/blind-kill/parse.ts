// Which parts of a shell command signal processes chosen by name or by port, not by a pid the
// agent knows: `pkill`, `killall`, `fuser -k`, `kill-port`, and `kill` or `xargs kill` fed by a
// finder (`lsof`, `pgrep`, `pidof`, `fuser`, `ps | grep`, `ss`/`netstat`). Each is found with
// what it would select, as a target the hook can measure; what it cannot read is unknown, never
// nothing. Pure: no process is read here.

import { commandOf, SCRIPT_OPTION, scriptOptionAt, SHELLS } from "./command-of.ts";
import { MAY_BE_BLIND_KILL } from "./may-be.ts";
import { ansiC, splitCommands, type SimpleCommand, type Word } from "./shell-words.ts";
import { finderTargets, fuserKills, fuserTargets, killallTargets, killOperandTargets, killPortTargets, killSignalsNothing, pkillTargets, type Target } from "./targets.ts";

export type { Target } from "./targets.ts";

export interface BlindKill {
  /** The command as the agent wrote it, words joined. */
  text: string;
  targets: Target[];
}

/** The environment the command's shell starts with: what `$USER` in `pkill -u $USER` is. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Scripts inside scripts past this depth are not read: said as unknown. */
const MAX_DEPTH = 4;
/** The programs a glob in a program's place (`/usr/bin/pk*ll`) is checked against. */
const KILLERS = ["pkill", "killall", "kill", "fuser", "kill-port", "killall5", "skill", "fkill"];

/** What the command's own lines set: variables holding found pids, literal values, and names set to something unknown. */
interface Scope {
  finders: Map<string, Target[]>;
  literals: Map<string, string>;
  unknown: Set<string>;
}

export function findBlindKills(command: string, env: Env = {}, depth = 0): BlindKill[] {
  if (depth > MAX_DEPTH) return MAY_BE_BLIND_KILL.test(command) ? [{ text: command.slice(0, 80), targets: [{ kind: "unknown", what: "what a command nested this deep runs" }] }] : [];
  const found: BlindKill[] = [];
  const commands = splitCommands(command);
  const scope: Scope = { finders: new Map(), literals: new Map(), unknown: new Set() };
  commands.forEach((cmd, at) => {
    for (const script of [...cmd.words.flatMap((w) => w.scripts), ...cmd.redirectScripts]) found.push(...findBlindKills(script, env, depth + 1));
    recordVariables(cmd, commands, at, scope);
    const { program, args, via } = commandOf(cmd.words.flatMap((word) => resolvedWords(word, scope)));
    if (program === null) return;
    const text = cmd.words.map((w) => w.text).join(" ");
    if (SCRIPT_OPTION.has(program)) return void found.push(...scriptKills(program, args, cmd, commands, at, env, depth));
    if (program === "eval") return void found.push(...findBlindKills(args.map((w) => w.text).join(" "), env, depth + 1));
    // What runs later or for each file: `trap 'pkill x' EXIT`, `find … -exec pkill {} \;`, `watch "pkill x"`, `env -S "pkill x"`.
    if (program === "trap") return void (args[0] && found.push(...findBlindKills(args[0].text, env, depth + 1)));
    if (program === "find") return void found.push(...execScripts(args).flatMap((script) => findBlindKills(script, env, depth + 1)));
    if (program === "env") return void found.push(...splitStrings(args).flatMap((script) => findBlindKills(script, env, depth + 1)));
    if ((via.includes("watch") || via.includes("env")) && /\s/.test(program)) return void found.push(...findBlindKills([program, ...args.map((w) => w.text)].join(" "), env, depth + 1));
    const unread = unreadProgram(program);
    if (unread !== null) return void (unread.length > 0 && found.push({ text, targets: unread }));
    const named = /[*?[]/.test(program) ? killersGlobbed(program) : [program];
    if (named.length > 1) return void found.push({ text, targets: [{ kind: "unknown", what: "which kill program the glob names" }] });
    if (named.length === 0) return;
    const fedBy = via.find((v) => v === "xargs" || v === "parallel");
    const targets = killTargets(named[0]!, args, scope, fedBy === undefined ? null : fedTargets(cmd, commands, at), fedBy);
    if (targets !== null) found.push({ text, targets: targets.map((target) => expanded(target, scope, env)) });
  });
  return found;
}

/** A word as the command's own lines make it: `$K` set to `pkill` (or `pkill -f`, split as the shell splits it) before, `$(which pkill)`. */
function resolvedWords(word: Word, scope: Scope): Word[] {
  const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word.text);
  if (variable && scope.literals.has(variable[1]!)) return scope.literals.get(variable[1]!)!.split(/[ \t\n]+/).filter(Boolean).map((text) => ({ text, scripts: [] }));
  return [resolvedWord(word)];
}

/** `$(which pkill)` and its kind: the program it locates. */
function resolvedWord(word: Word): Word {
  if (word.scripts.length === 1 && /^(\$\(.*\)|`.*`)$/s.test(word.text)) {
    const [locator, ...rest] = (splitCommands(word.scripts[0]!)[0]?.words ?? []).map((w) => w.text);
    const asked = rest.filter((w) => !w.startsWith("-"));
    if ((locator === "which" || locator === "command" || locator === "type") && asked.length === 1) return { text: asked[0]!, scripts: [] };
  }
  return word;
}

/** A program we cannot read (`$KILLER`, `$(…)`): unknown when its word names a kill, [] to pass; null when it can be read. */
function unreadProgram(program: string): Target[] | null {
  if (!program.includes("$") && !program.includes("`")) return null;
  return MAY_BE_BLIND_KILL.test(program) ? [{ kind: "unknown", what: `what ${program} runs` }] : [];
}

/** The kill programs a glob in a program's place (already a base name) matches. */
function killersGlobbed(glob: string): string[] {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${globSource(glob)}$`);
  } catch {
    // A class bash cannot match either (`[b-a]`): the word is taken literally, and names no kill program.
    return [];
  }
  return KILLERS.filter((name) => pattern.test(name));
}

/** A shell glob as a regular expression: `*`, `?` and a closed `[...]` (`[!...]` too); anything else literal, so `[` and `[[` (test) match only themselves. */
function globSource(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      // The class runs to the first "]" after its first character (a "]" there is a member).
      const start = glob[i + 1] === "!" || glob[i + 1] === "^" ? i + 2 : i + 1;
      const close = glob.indexOf("]", start + 1);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      const members = glob.slice(start, close).replace(/[\\\]^]/g, "\\$&");
      out += `[${start === i + 2 ? "^" : ""}${members}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return out;
}

/** What a script given to a shell (or to su, runuser, script, flock) by `-c`, a here-document or a pipe runs. */
function scriptKills(program: string, args: readonly Word[], cmd: SimpleCommand, commands: readonly SimpleCommand[], at: number, env: Env, depth: number): BlindKill[] {
  const c = args.findIndex((w) => scriptOptionAt(w.text));
  if (c !== -1) {
    const option = args[c]!.text;
    const script = option.startsWith("--command=") ? option.slice(10) : args[c + 1]?.text;
    return script === undefined ? [] : findBlindKills(script, env, depth + 1);
  }
  // A shell given a script file runs what we cannot read; one with no operand reads its stdin.
  if (!SHELLS.has(program) || args.some((w) => !w.text.startsWith("-"))) return [];
  if (cmd.hereDoc !== null) return findBlindKills(cmd.hereDoc, env, depth + 1);
  if (!cmd.pipedInto) return [];
  const source = pipelineBefore(commands, at);
  const printed = source.length === 1 ? commandOf(source[0]!.words) : null;
  // echo prints its words with spaces between them (`-e` decodes escapes); printf fills its format.
  if (printed && printed.program === "echo") {
    const decode = printed.args.some((w) => /^-[nE]*e[neE]*$/.test(w.text));
    const text = printed.args.filter((w) => !/^-[neE]+$/.test(w.text)).map((w) => w.text).join(" ");
    return findBlindKills(decode ? ansiC(text) : text, env, depth + 1);
  }
  if (printed && printed.program === "printf") return findBlindKills(printfOutput(printed.args.map((w) => w.text)), env, depth + 1);
  const sourceText = source.map((s) => s.words.map((w) => w.text).join(" ")).join(" | ");
  return MAY_BE_BLIND_KILL.test(sourceText) ? [{ text: `${sourceText} | ${program}`, targets: [{ kind: "unknown", what: `what the script piped into ${program} runs` }] }] : [];
}

/** What a kill-like command selects; null when it is not a blind kill (`kill 1234`, `kill %1`, `grep pkill`). */
function killTargets(program: string, words: readonly Word[], scope: Scope, fed: Target[] | null, fedBy?: string): Target[] | null {
  const args = words.map((w) => w.text);
  // xargs and parallel add the words they read: what pkill or killall then matches cannot be told.
  if (fedBy !== undefined && (program === "pkill" || program === "killall")) return [{ kind: "unknown", what: `which processes ${program} matches with what ${fedBy} gives it` }];
  if (fedBy !== undefined && program === "kill-port") return [{ kind: "unknown", what: `which port ${fedBy} gives kill-port` }];
  if (program === "pkill") return pkillTargets(args);
  if (program === "killall") return killallTargets(args);
  if (program === "fuser") return fuserKills(args) ? fuserTargets(args) : null;
  if (program === "kill-port") return killPortTargets(args);
  if (program === "fkill" || program === "fkill-cli") return fkillTargets(args);
  if (program === "killall5") return killSignalsNothing(args) ? null : [{ kind: "unknown", what: "which processes killall5 ends: every process outside the shell's own session" }];
  if (program === "skill") return args.length === 0 || killSignalsNothing(args) ? null : [{ kind: "unknown", what: `what ${[program, ...args].join(" ")} selects` }];
  if (program !== "kill" || killSignalsNothing(args)) return null;
  if (fed !== null) return fed.length > 0 ? fed : null;
  const targets = killOperandTargets(args);
  for (const word of words) {
    for (const script of word.scripts) targets.push(...(finderTargets(splitCommands(script)) ?? []));
    const variable = /^-?\$\{?([A-Za-z_][A-Za-z0-9_]*)(?:\[[@*]\])?\}?$/.exec(word.text);
    if (variable && scope.finders.has(variable[1]!)) targets.push(...scope.finders.get(variable[1]!)!);
  }
  return targets.length > 0 ? targets : null;
}

/** fkill's `:3000` is a port; a name is matched as fkill matches it, which pgrep cannot repeat; a pid is known. */
function fkillTargets(args: readonly string[]): Target[] | null {
  const targets: Target[] = args
    .filter((a) => !a.startsWith("-") && !/^[0-9]+$/.test(a))
    .map((a) => (/^:[0-9]{1,5}$/.test(a) ? { kind: "port", port: Number(a.slice(1)), scope: "listen" } : { kind: "unknown", what: `which processes fkill ${a} ends` }));
  return targets.length > 0 ? targets : null;
}

/** A pgrep target with `$NAME` read from the command's own lines or its environment; unknown when a `$…` cannot be read. */
function expanded(target: Target, scope: Scope, env: Env): Target {
  if (target.kind !== "pgrep" || !target.args.some((a) => a.includes("$") || a.includes("`"))) return target;
  const args: string[] = [];
  for (const arg of target.args) {
    const value = arg.includes("`") ? null : expandVariables(arg, scope, env);
    if (value === null) return { kind: "unknown", what: `what pgrep ${target.args.join(" ")} matches (${arg} is not known here)` };
    args.push(value);
  }
  return { kind: "pgrep", args };
}

/** `$NAME` and `${NAME}` replaced; null for `$$`, `$!`, `$1`, a substitution or a name without a known value. */
function expandVariables(arg: string, scope: Scope, env: Env): string | null {
  let unknown = false;
  const value = arg.replace(/\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*)|.?)/g, (_, _whole, braced?: string, bare?: string) => {
    const name = braced ?? bare;
    const known = name === undefined || scope.unknown.has(name) || scope.finders.has(name) ? undefined : (scope.literals.get(name) ?? env[name]);
    if (known === undefined) unknown = true;
    return known ?? "";
  });
  return unknown ? null : value;
}

/**
 * What the finders feeding a command's input name: the pipeline before it (`lsof -ti:3000 |`),
 * else substitutions there (`cat <(lsof …) |`), in its redirections (`< <(pgrep x)`), its
 * here-string (`<<< "$(lsof …)"`) or its own words (`xargs -a <(pgrep x)`).
 */
function fedTargets(cmd: SimpleCommand, commands: readonly SimpleCommand[], at: number): Target[] {
  const source = cmd.pipedInto ? pipelineBefore(commands, at) : [];
  const direct = source.length > 0 ? finderTargets(source) : null;
  if (direct !== null) return direct;
  const scripts = [
    ...source.flatMap((c) => [...c.words.flatMap((w) => w.scripts), ...c.redirectScripts]),
    ...cmd.redirectScripts,
    ...(cmd.hereDoc === null ? [] : splitCommands(cmd.hereDoc).flatMap((c) => c.words.flatMap((w) => w.scripts))),
    ...cmd.words.flatMap((w) => w.scripts),
  ];
  const targets = new Map(scripts.flatMap((script) => finderTargets(splitCommands(script)) ?? []).map((t) => [JSON.stringify(t), t]));
  return [...targets.values()];
}

/** What printf prints: its format with escapes decoded and %s / %b / %d filled from the words after it, as often as they last. */
function printfOutput(words: readonly string[]): string {
  const [format = "", ...values] = words;
  const once = (rest: string[]) => ansiC(format).replace(/%[-0-9.]*([sbdqc%])/g, (_, kind: string) => (kind === "%" ? "%" : (kind === "b" ? ansiC(rest.shift() ?? "") : (rest.shift() ?? ""))));
  const rest = [...values];
  let out = once(rest);
  for (let rounds = 0; rest.length > 0 && rounds < 16 && /%[-0-9.]*[sbdqc]/.test(format); rounds++) out += once(rest);
  return out;
}

/** What `env -S STRING` (`--split-string`) runs: the string, split as a command line. */
function splitStrings(args: readonly Word[]): string[] {
  const at = args.findIndex((w) => w.text === "-S" || w.text === "--split-string" || w.text.startsWith("--split-string=") || /^-S./.test(w.text));
  if (at === -1) return [];
  const word = args[at]!.text;
  // `-S STRING` or `-SSTRING` / `--split-string=STRING`.
  const detached = word === "-S" || word === "--split-string";
  const first = detached ? (args[at + 1]?.text ?? "") : word.replace(/^--split-string=|^-S/, "");
  return [[first, ...args.slice(at + (detached ? 2 : 1)).map((w) => w.text)].join(" ")];
}

/** The commands `find` runs: the words after each -exec, -execdir, -ok or -okdir, up to its `;` or `+`. */
function execScripts(args: readonly Word[]): string[] {
  const scripts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (!["-exec", "-execdir", "-ok", "-okdir"].includes(args[i]!.text)) continue;
    const words: string[] = [];
    for (i++; i < args.length && ![";", "\\;", "+"].includes(args[i]!.text); i++) words.push(args[i]!.text);
    scripts.push(words.join(" "));
  }
  return scripts;
}

/** The commands of the pipeline that ends at `at`, before it. */
function pipelineBefore(commands: readonly SimpleCommand[], at: number): SimpleCommand[] {
  let start = at;
  while (start > 0 && commands[start]!.pipedInto) start--;
  return commands.slice(start, at) as SimpleCommand[];
}

/** `P=$(lsof -ti:3000)`, `for p in $(pgrep node)`, `pgrep x | while read p`, `K=pkill`: what the command's lines set. */
function recordVariables(cmd: SimpleCommand, commands: readonly SimpleCommand[], at: number, scope: Scope): void {
  const words = ["export", "local", "declare", "readonly", "typeset"].includes(cmd.words[0]?.text ?? "") ? cmd.words.slice(1) : cmd.words;
  for (const word of words) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word.text);
    if (!assignment) break;
    const [, name, value] = assignment as unknown as [string, string, string];
    const targets = word.scripts.flatMap((s) => finderTargets(splitCommands(s)) ?? []);
    scope.finders.delete(name);
    scope.literals.delete(name);
    scope.unknown.delete(name);
    if (targets.length > 0) scope.finders.set(name, targets);
    else if (word.scripts.length === 0 && !value.includes("$")) scope.literals.set(name, value);
    else scope.unknown.add(name);
  }
  if (words[0]?.text === "for" && words[2]?.text === "in") {
    const targets = words.slice(3).flatMap((w) => w.scripts.flatMap((s) => finderTargets(splitCommands(s)) ?? []));
    if (targets.length > 0) scope.finders.set(words[1]!.text, targets);
  }
  // `IFS= read -r p`, `mapfile -t ps`: what feeds the read names what the variables hold.
  const reader = words.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text));
  if (["read", "mapfile", "readarray"].includes(words[reader]?.text ?? "")) {
    const targets = fedTargets(cmd, commands, at);
    // `while read p; do …; done < <(pgrep x)`: the loop's input is on its `done`.
    const done = targets.length > 0 ? null : doneAfter(commands, at);
    const loopFed = done === null ? targets : fedTargets(done, commands, at);
    if (loopFed.length > 0) for (const w of words.slice(reader + 1)) if (!w.text.startsWith("-") && /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.text)) scope.finders.set(w.text, loopFed);
  }
}

/** The `done` (a command of no words: its reserved word was dropped) that closes the loop a command at `at` is in; null when none follows. */
function doneAfter(commands: readonly SimpleCommand[], at: number): SimpleCommand | null {
  for (let i = at + 1; i < commands.length; i++) if (commands[i]!.words.length === 0) return commands[i]!;
  return null;
}
