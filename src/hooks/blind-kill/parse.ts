// Which parts of a shell command signal processes chosen by name or by port, not by a pid the
// agent knows: `pkill`, `killall`, `fuser -k`, `kill-port`, and `kill` or `xargs kill` fed by a
// finder (`lsof`, `pgrep`, `pidof`, `fuser`, `ps | grep`, `ss`/`netstat`). Each is found with
// what it would select, as a target the hook can measure. Pure: no process is read here.

import { splitCommands, type SimpleCommand, type Word } from "./shell-words.ts";

/** What a blind kill selects: processes pgrep's arguments match, users of a port, or something we cannot tell. */
export type Target =
  | { kind: "pgrep"; args: string[] }
  /** listen: its listening sockets; local: any socket with that local port (fuser); either: local or remote port (lsof -i). */
  | { kind: "port"; port: number; scope: "listen" | "local" | "either" }
  | { kind: "unknown"; what: string };

export interface BlindKill {
  /** The command as the agent wrote it, words joined. */
  text: string;
  targets: Target[];
}

/** The words a command may start with that run the rest as the command (`sudo pkill`), with how many arguments their options take. */
const PREFIXES: Record<string, { valued: string[] }> = {
  sudo: { valued: ["-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t", "-D"] },
  doas: { valued: ["-u", "-C"] },
  env: { valued: ["-u", "-C", "-S", "--unset", "--chdir"] },
  command: { valued: [] },
  builtin: { valued: [] },
  exec: { valued: ["-a"] },
  nohup: { valued: [] },
  time: { valued: ["-f", "-o"] },
  nice: { valued: ["-n"] },
  ionice: { valued: ["-c", "-n", "-p"] },
  setsid: { valued: [] },
  stdbuf: { valued: ["-i", "-o", "-e"] },
  watch: { valued: ["-n", "-d"] },
  npx: { valued: ["-p", "--package", "-c", "--call"] },
  bunx: { valued: ["-p", "--package"] },
  pnpx: { valued: [] },
  xargs: { valued: ["-I", "-i", "-n", "-P", "-L", "-l", "-d", "-E", "-e", "-s", "-a", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--replace"] },
};
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh"]);
/** Programs whose output is the pids a `kill $(…)` or `| xargs kill` signals. */
const FINDERS = new Set(["lsof", "pgrep", "pidof", "fuser", "ps", "ss", "netstat"]);

export function findBlindKills(command: string, depth = 0): BlindKill[] {
  if (depth > 4) return [];
  const found: BlindKill[] = [];
  const commands = splitCommands(command);
  /** `P=$(lsof -ti:3000)`, `for p in $(pgrep node)`: variables that hold found pids. */
  const finderVars = new Map<string, Target[]>();
  commands.forEach((cmd, at) => {
    for (const script of [...cmd.words.flatMap((w) => w.scripts), ...cmd.redirectScripts]) found.push(...findBlindKills(script, depth + 1));
    const words = cmd.words.map((w) => w.text);
    recordFinderVars(cmd, finderVars);
    const { program, args, via } = commandOf(cmd.words);
    if (program === null) return;
    const text = words.join(" ");
    if (SHELLS.has(program)) {
      const c = args.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w.text));
      if (c !== -1 && args[c + 1]) found.push(...findBlindKills(args[c + 1]!.text, depth + 1));
      else if (cmd.hereDoc !== null && !args.some((w) => !w.text.startsWith("-"))) found.push(...findBlindKills(cmd.hereDoc, depth + 1));
      return;
    }
    if (program === "eval") return void found.push(...findBlindKills(args.map((w) => w.text).join(" "), depth + 1));
    const targets = killTargets(program, args.map((w) => w.text), args, finderVars, via.includes("xargs") && cmd.pipedInto ? pipelineBefore(commands, at) : null);
    if (targets !== null) found.push({ text, targets });
  });
  return found;
}

/** The program a command runs and its arguments, past assignments and prefixes; `via`: the prefixes passed. */
export function commandOf(words: readonly Word[]): { program: string | null; args: Word[]; via: string[] } {
  const via: string[] = [];
  let i = 0;
  while (i < words.length) {
    const word = words[i]!.text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
      i++;
      continue;
    }
    const name = basename(word);
    const prefix = PREFIXES[name];
    if (prefix === undefined) {
      if (name === "timeout") {
        i = pastOptions(words, i + 1, ["-s", "-k", "--signal", "--kill-after"]) + 1;
        via.push(name);
        continue;
      }
      if ((name === "pnpm" || name === "yarn") && words[i + 1]?.text === "dlx") {
        i += 2;
        via.push(name);
        continue;
      }
      if (name === "npm" && words[i + 1]?.text === "exec") {
        i = pastOptions(words, i + 2, ["-p", "--package", "-c", "--call", "-w", "--workspace"]);
        via.push(name);
        continue;
      }
      return { program: name, args: words.slice(i + 1) as Word[], via };
    }
    via.push(name);
    i = pastOptions(words, i + 1, prefix.valued);
    if (name === "env") while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.text)) i++;
  }
  return { program: null, args: [], via };
}

/** The index of the first word from `from` that is not an option (nor the value of one in `valued`); `--` is passed. */
function pastOptions(words: readonly Word[], from: number, valued: readonly string[]): number {
  let i = from;
  while (i < words.length && words[i]!.text.startsWith("-") && words[i]!.text !== "-") {
    const word = words[i]!.text;
    i++;
    if (word === "--") break;
    if (valued.includes(word)) i++;
  }
  return i;
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

/** What a kill-like command selects; null when it is not a blind kill (`kill 1234`, `kill %1`, `grep pkill`). */
function killTargets(program: string, args: string[], words: readonly Word[], finderVars: ReadonlyMap<string, Target[]>, fedBy: SimpleCommand[] | null): Target[] | null {
  if (program === "pkill") return pkillTargets(args);
  if (program === "killall") return killallTargets(args);
  if (program === "fuser") return fuserKills(args) ? fuserTargets(args) : null;
  if (program === "kill-port") return killPortTargets(args);
  if (program !== "kill") return null;
  if (fedBy !== null) return finderTargets(fedBy) ?? null;
  if (args.includes("-l") || args.includes("-L") || args.includes("--list")) return null;
  const targets: Target[] = [];
  for (const word of words) {
    for (const script of word.scripts) {
      const found = finderTargets(splitCommands(script));
      if (found) targets.push(...found);
    }
    const variable = /^-?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word.text);
    if (variable && finderVars.has(variable[1]!)) targets.push(...finderVars.get(variable[1]!)!);
  }
  return targets.length > 0 ? targets : null;
}

/** pkill's arguments as pgrep takes them: its signal and its own options dropped. */
export function pkillTargets(args: readonly string[]): Target[] | null {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (i === 0 && /^-([0-9]+|[A-Z][A-Z0-9+-]*)$/.test(a)) continue;
    if (a === "--signal" || a === "-q" || a === "--queue") {
      i++;
      continue;
    }
    if (/^--(signal|queue)=/.test(a) || a === "-e" || a === "--echo" || a === "-H" || a === "--require-handler") continue;
    kept.push(a);
  }
  // pkill with nothing to match refuses to run.
  return kept.length > 0 ? [{ kind: "pgrep", args: kept }] : null;
}

/** killall's names as exact pgrep matches, `-r` as a pattern, `-u` as pgrep's. */
export function killallTargets(args: readonly string[]): Target[] | null {
  const common: string[] = [];
  const names: string[] = [];
  let regex = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-u" || a === "--user") common.push("-u", args[++i] ?? "");
    else if (a === "-r" || a === "--regexp") regex = true;
    else if (a === "-I" || a === "--ignore-case") common.push("-i");
    else if (a === "-s" || a === "--signal" || a === "-o" || a === "-y" || a === "--older-than" || a === "--younger-than" || a === "-n" || a === "--ns" || a === "-Z" || a === "--context") i++;
    else if (a.startsWith("-")) continue;
    else names.push(a);
  }
  if (names.length === 0) return common.includes("-u") ? [{ kind: "pgrep", args: common }] : null;
  // pgrep's exact match is on the 15 characters of the kernel's name, as killall's.
  return names.map((name) => ({ kind: "pgrep", args: [...common, ...(regex ? [name] : ["-x", name.slice(0, 15)])] }));
}

/** `fuser -k`, also inside a flag group (`-km`, `-kn tcp`). */
function fuserKills(args: readonly string[]): boolean {
  return args.some((a) => /^-[a-zA-Z]*k[a-zA-Z]*$/.test(a) && !a.startsWith("--"));
}

/** fuser's names: `3000/tcp`, `-n tcp 3000`; a file is something we cannot measure without fuser. */
export function fuserTargets(args: readonly string[]): Target[] {
  const targets: Target[] = [];
  let space: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-[a-zA-Z]*n$/.test(a)) {
      space = args[++i] ?? null;
      continue;
    }
    if (a.startsWith("-")) continue;
    const port = /^([0-9]{1,5})(?:,[^/]*)?\/(tcp|udp)$/.exec(a) ?? (space === "tcp" || space === "udp" ? /^([0-9]{1,5})()$/.exec(a) : null);
    if (port) targets.push({ kind: "port", port: Number(port[1]), scope: "local" });
    else targets.push({ kind: "unknown", what: `the processes using ${a}` });
  }
  return targets;
}

/** kill-port's ports: `3000`, `3000 3001`, `3000,3001`, `--port 3000`. */
export function killPortTargets(args: readonly string[]): Target[] | null {
  const targets: Target[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--method" || a === "-m") {
      i++;
      continue;
    }
    const value = a === "--port" || a === "-p" ? (args[++i] ?? "") : a.replace(/^--port=/, "");
    for (const part of value.split(",")) if (/^[0-9]{1,5}$/.test(part)) targets.push({ kind: "port", port: Number(part), scope: "listen" });
  }
  return targets.length > 0 ? targets : null;
}

/** What a finder pipeline's output names; null when it is not a finder (`cat app.pid`, `echo $!`). */
export function finderTargets(pipeline: readonly SimpleCommand[]): Target[] | null {
  const first = pipeline[0];
  if (!first) return null;
  const { program, args } = commandOf(first.words);
  if (program === null || !FINDERS.has(program)) return null;
  const words = args.map((w) => w.text);
  const text = [program, ...words].join(" ");
  if (program === "pgrep") return [{ kind: "pgrep", args: words.filter((w) => !["-l", "-a", "-c", "-w", "--list-name", "--list-full", "--count"].includes(w)) }];
  if (program === "pidof") return words.filter((w) => !w.startsWith("-")).map((name) => ({ kind: "pgrep", args: ["-x", name.slice(0, 15)] }));
  if (program === "fuser") return fuserTargets(words);
  if (program === "lsof") return lsofTargets(words) ?? [{ kind: "unknown", what: `what ${text} lists` }];
  const pattern = grepPattern(pipeline.slice(1));
  if (program === "ps") return pattern === null ? [{ kind: "unknown", what: `what ${text} lists` }] : [{ kind: "pgrep", args: ["-f", pattern] }];
  // ss and netstat: `… | grep :3000`.
  const port = pattern === null ? null : /:?([0-9]{1,5})\b/.exec(pattern);
  return port ? [{ kind: "port", port: Number(port[1]), scope: "listen" }] : [{ kind: "unknown", what: `what ${text} lists` }];
}

/** lsof's `-i[46][proto][@host]:PORT` (also inside `-ti:3000`); LISTEN only with `-sTCP:LISTEN`. */
function lsofTargets(words: readonly string[]): Target[] | null {
  const listen = words.some((w) => /^-s(TCP)?:?LISTEN$/i.test(w)) || words.some((w, i) => w === "-s" && /LISTEN/i.test(words[i + 1] ?? ""));
  const targets: Target[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const flags = /^-[a-zA-Z]*i(.*)$/.exec(w);
    if (!flags || w.startsWith("--")) continue;
    const spec = flags[1] !== "" ? flags[1]! : (words[i + 1] ?? "");
    const port = /^(?:[46])?(?:tcp|udp)?(?:@[^:]*)?:([0-9]{1,5})$/i.exec(spec);
    if (port) targets.push({ kind: "port", port: Number(port[1]), scope: listen ? "listen" : "either" });
  }
  return targets.length > 0 ? targets : null;
}

/** The first pattern a `grep` in the pipeline keeps (`grep -v grep` drops): what `ps aux | grep X` selects. */
function grepPattern(rest: readonly SimpleCommand[]): string | null {
  for (const cmd of rest) {
    const { program, args } = commandOf(cmd.words);
    if (program !== "grep" && program !== "egrep" && program !== "rg") continue;
    const words = args.map((w) => w.text);
    if (words.some((w) => /^-[a-zA-Z]*v/.test(w))) continue;
    const pattern = words.find((w) => !w.startsWith("-"));
    if (pattern !== undefined) return pattern;
  }
  return null;
}

/** The commands of the pipeline that ends at `at`, before it. */
function pipelineBefore(commands: readonly SimpleCommand[], at: number): SimpleCommand[] {
  let start = at;
  while (start > 0 && commands[start]!.pipedInto) start--;
  return commands.slice(start, at) as SimpleCommand[];
}

/** `P=$(lsof -ti:3000)` and `for p in $(pgrep node)`: the variable, with what its finder selects. */
function recordFinderVars(cmd: SimpleCommand, vars: Map<string, Target[]>): void {
  const words = cmd.words;
  for (const word of words) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(word.text);
    if (!assignment) break;
    const targets = word.scripts.flatMap((s) => finderTargets(splitCommands(s)) ?? []);
    if (targets.length > 0) vars.set(assignment[1]!, targets);
  }
  if (words[0]?.text === "for" && words[2]?.text === "in") {
    const targets = words.slice(3).flatMap((w) => w.scripts.flatMap((s) => finderTargets(splitCommands(s)) ?? []));
    if (targets.length > 0) vars.set(words[1]!.text, targets);
  }
}
