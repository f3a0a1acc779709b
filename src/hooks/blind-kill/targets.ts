// What each kill program selects, from its arguments: pkill and killall as pgrep would select,
// fuser's and kill-port's ports, a finder's output (`lsof -ti:3000`, `ps aux | grep vite`), and
// what cannot be told (`kill -1`, `killall5`, a port held in a variable). Pure.

import { tryParseSignal } from "../../proc/signals.ts";
import { commandOf } from "./command-of.ts";
import type { SimpleCommand } from "./shell-words.ts";

/** What a blind kill selects: processes pgrep's arguments match, users of a port, or something we cannot tell. */
export type Target =
  | { kind: "pgrep"; args: string[] }
  /** listen: its listening sockets; local: any socket with that local port (fuser); either: local or remote port (lsof -i). */
  | { kind: "port"; port: number; scope: "listen" | "local" | "either" }
  | { kind: "unknown"; what: string };

/** Programs whose output is the pids a `kill $(…)` or `| xargs kill` signals. */
const FINDERS = new Set(["lsof", "pgrep", "pidof", "fuser", "ps", "ss", "netstat"]);

/** `-9`, `-KILL`, `-SIGTERM`, `-io` (SIGIO, as procps reads it): a signal where pkill and kill take one as an option. */
function signalOption(word: string): number | null {
  if (!/^-[A-Za-z0-9+-]+$/.test(word) || word.startsWith("--")) return null;
  return tryParseSignal(word.slice(1))?.number ?? null;
}

/** Signal 0 checks that a process exists and sends nothing: `kill -0 $(pgrep x)` ends nothing. `valued`: the options that take a signal (pkill's -s and -n select a session and the newest). */
function signalsNothing(args: readonly string[], valued: readonly string[] = ["-s", "-n", "--signal"]): boolean {
  return args.some((a, i) => signalOption(a) === 0 || (valued.includes(a) && tryParseSignal(args[i + 1] ?? "")?.number === 0) || (a.startsWith("--signal=") && tryParseSignal(a.slice(9))?.number === 0));
}

/** pkill's arguments as pgrep takes them: its signal (anywhere, as procps finds it) and its own options dropped. */
export function pkillTargets(args: readonly string[]): Target[] | null {
  if (signalsNothing(args, ["--signal"])) return null;
  // Session 0 is the caller's own, which a measure from the hook would read as the hook's.
  if (args.some((a, i) => ((a === "-s" || a === "--session") && args[i + 1] === "0") || a === "--session=0" || a === "-s0")) return [{ kind: "unknown", what: "the processes of the shell's own session (pkill -s 0)" }];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (signalOption(a) !== null) continue;
    if (a === "--signal" || a === "-q" || a === "--queue") {
      i++;
      continue;
    }
    if (/^--(signal|queue)=/.test(a) || a === "--echo" || a === "--require-handler" || a === "--inverse") continue;
    kept.push(a);
  }
  // -e (echo) and -H (require handler) are pkill's alone, also inside a group (`-ef`).
  const selecting = selectingArgs(kept, "eH");
  // pkill with nothing to match refuses to run.
  return selecting.length > 0 ? [{ kind: "pgrep", args: selecting }] : null;
}

/** pgrep's options that take a value, also as the last letter of a group (`-u me`, `-fd,`). */
const VALUE_LETTERS = "dgGPstuUFr";

/**
 * pgrep's and pkill's selecting arguments, so the measure lists pids: the output options
 * (-l, -a, -c, -w, -d DELIM and their long names) dropped, also inside a group, and `drop`'s
 * letters too (pkill's own).
 */
export function selectingArgs(words: readonly string[], drop = ""): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    if (["--list-name", "--list-full", "--count", "--lightweight"].includes(a) || a.startsWith("--delimiter=")) continue;
    if (a === "--delimiter") {
      i++;
      continue;
    }
    if (!/^-[a-zA-Z]/.test(a) || a.startsWith("--")) {
      out.push(a);
      continue;
    }
    let group = "-";
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (VALUE_LETTERS.includes(letter)) {
        const value = j + 1 < a.length ? a.slice(j + 1) : (words[++i] ?? "");
        if (group !== "-") out.push(group);
        group = "-";
        if (letter !== "d") out.push(`-${letter}`, value);
        break;
      }
      if (!"lacw".includes(letter) && !drop.includes(letter)) group += letter;
    }
    if (group !== "-") out.push(group);
  }
  return out;
}

/** killall's names as exact pgrep matches, `-r` as a pattern, `-u` as pgrep's. */
export function killallTargets(args: readonly string[]): Target[] | null {
  if (signalsNothing(args)) return null;
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

/** `kill`'s pid operands that select by no pid: -1 is every process the user may signal, 0 the shell's whole group. */
export function killOperandTargets(args: readonly string[]): Target[] {
  const targets: Target[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (options && a === "--") {
      options = false;
      continue;
    }
    if (options && (a === "-s" || a === "-n" || a === "--signal")) {
      i++;
      continue;
    }
    // The first option of kill that names a signal is one: `kill -1 1234` sends SIGHUP to 1234.
    if (options && i === 0 && signalOption(a) !== null) continue;
    if (a === "-1") targets.push({ kind: "unknown", what: "which processes `kill -1` ends: every process this user may signal" });
    else if (a === "0" || a === "-0") targets.push({ kind: "unknown", what: "which processes `kill 0` ends: the calling shell's whole process group" });
  }
  return targets;
}

/** kill(1) asked to signal nothing: a list of signals, or signal 0. */
export function killSignalsNothing(args: readonly string[]): boolean {
  return args.includes("-l") || args.includes("-L") || args.includes("--list") || signalsNothing(args);
}

/** `fuser -k` and `fuser --kill`, also inside a flag group (`-km`, `-kn tcp`). */
export function fuserKills(args: readonly string[]): boolean {
  return args.some((a) => a === "--kill" || (/^-[a-zA-Z]*k[a-zA-Z]*$/.test(a) && !a.startsWith("--")));
}

/** fuser's names: `3000/tcp`, `-n tcp 3000`; a file is something we cannot measure without fuser. */
export function fuserTargets(args: readonly string[]): Target[] {
  const targets: Target[] = [];
  let space: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (/^-[a-zA-Z]*n$/.test(a) || a === "--namespace") {
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

/** kill-port's ports: `3000`, `3000 3001`, `3000,3001`, `--port 3000`; one it cannot read (`$PORT`) is unknown. */
export function killPortTargets(args: readonly string[]): Target[] | null {
  const targets: Target[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--method" || a === "-m") {
      i++;
      continue;
    }
    const value = a === "--port" || a === "-p" ? (args[++i] ?? "") : a.replace(/^--port=/, "");
    if (value.startsWith("-")) continue;
    for (const part of value.split(",")) targets.push(/^[0-9]{1,5}$/.test(part) ? { kind: "port", port: Number(part), scope: "listen" } : { kind: "unknown", what: `what holds port ${part}` });
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
  if (program === "pgrep") return [{ kind: "pgrep", args: selectingArgs(words) }];
  if (program === "pidof") return words.filter((w) => !w.startsWith("-")).map((name) => ({ kind: "pgrep", args: ["-x", name.slice(0, 15)] }));
  if (program === "fuser") return fuserTargets(words);
  if (program === "lsof") return lsofTargets(words) ?? [{ kind: "unknown", what: `what ${text} lists` }];
  const grep = grepPattern(pipeline.slice(1));
  if (program === "ps") return grep === null ? [{ kind: "unknown", what: `what ${text} lists` }] : [{ kind: "pgrep", args: [...(grep.ignoreCase ? ["-i"] : []), "-f", grep.pattern] }];
  // ss and netstat: `… | grep :3000` (or a bare 3000); `grep LISTEN` or `grep '[0-9]'` names no port.
  const port = grep === null ? null : (/:([0-9]{1,5})\b/.exec(grep.pattern) ?? /^([0-9]{1,5})$/.exec(grep.pattern));
  return port && Number(port[1]) > 0 ? [{ kind: "port", port: Number(port[1]), scope: "listen" }] : [{ kind: "unknown", what: `what ${text} lists` }];
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

/** The first pattern a `grep` in the pipeline keeps (`grep -v grep` drops), and whether it ignores case: what `ps aux | grep X` selects. */
function grepPattern(rest: readonly SimpleCommand[]): { pattern: string; ignoreCase: boolean } | null {
  for (const cmd of rest) {
    const { program, args } = commandOf(cmd.words);
    if (program !== "grep" && program !== "egrep" && program !== "rg") continue;
    const words = args.map((w) => w.text);
    const flags = words.filter((w) => /^-[a-zA-Z]+$/.test(w)).join("");
    if (flags.includes("v")) continue;
    const pattern = words.find((w) => !w.startsWith("-"));
    if (pattern !== undefined) return { pattern, ignoreCase: flags.includes("i") || words.includes("--ignore-case") };
  }
  return null;
}
