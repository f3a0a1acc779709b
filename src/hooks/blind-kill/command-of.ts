// The program a simple command runs, past what only runs it: assignments (`VAR=1`), prefixes
// (`sudo`, `env`, `nohup`, `timeout 5`), package runners (`npx kill-port@latest`, `bun x`,
// `pnpm exec`) and wrappers that take an argument first (`taskset 0x1`, `chrt 99`, `flock F`).

import type { Word } from "./shell-words.ts";

/** Prefixes that run the rest as the command, with the options of theirs that take a value. */
const PREFIXES: Record<string, readonly string[]> = {
  sudo: ["-u", "-g", "-h", "-p", "-C", "-U", "-r", "-t", "-D"],
  doas: ["-u", "-C"],
  env: ["-u", "-C", "-S", "--unset", "--chdir"],
  command: [],
  builtin: [],
  exec: ["-a"],
  nohup: [],
  time: ["-f", "-o"],
  nice: ["-n"],
  ionice: ["-c", "-n", "-p"],
  setsid: [],
  stdbuf: ["-i", "-o", "-e"],
  watch: ["-n", "-d"],
  busybox: [],
  toybox: [],
  coproc: [],
  parallel: ["-j", "--jobs", "-S", "--sshlogin", "--delay", "--timeout"],
  strace: ["-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-S", "-X", "-P"],
  ltrace: ["-o", "-e", "-p", "-s", "-u", "-n", "-a"],
  runuser: ["-u", "-g", "-G", "--user", "--group"],
  npx: ["-p", "--package", "-c", "--call"],
  bunx: ["-p", "--package"],
  pnpx: [],
  xargs: ["-I", "-i", "-n", "-P", "-L", "-l", "-d", "-E", "-e", "-s", "-a", "--arg-file", "--delimiter", "--max-args", "--max-procs", "--replace"],
};

/** Wrappers whose first argument past their options is theirs (`timeout 5 CMD`, `taskset 0x3 CMD`), with their valued options. */
const ONE_ARGUMENT: Record<string, readonly string[]> = {
  timeout: ["-s", "-k", "--signal", "--kill-after"],
  taskset: [],
  chrt: [],
  flock: ["-w", "-E", "--timeout", "--conflict-exit-code"],
};

/** `pnpm exec X`, `npm x X`: a runner and the word that makes it run a package's program. */
const RUNNERS: Record<string, readonly string[]> = { npm: ["exec", "x"], pnpm: ["exec", "dlx"], yarn: ["exec", "dlx"], bun: ["x"] };
const RUNNER_VALUED = ["-p", "--package", "-c", "--call", "-w", "--workspace"];

export function commandOf(words: readonly Word[]): { program: string | null; args: Word[]; via: string[] } {
  const via: string[] = [];
  let i = 0;
  while (i < words.length) {
    const word = words[i]!.text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
      i++;
      continue;
    }
    const name = programName(word);
    const valued = PREFIXES[name];
    // `runuser -l me -c CMD`, `flock F -c CMD`: the command is a script, read by the caller (SCRIPT_OPTION).
    if ((name === "runuser" || name === "flock") && words.slice(i + 1).some((w) => scriptOptionAt(w.text))) return { program: name, args: words.slice(i + 1) as Word[], via };
    // `env -S "pkill x"`: the command is a string, split by the caller.
    if (name === "env" && words.slice(i + 1).some((w) => w.text === "-S" || /^(-S.|--split-string)/.test(w.text))) return { program: name, args: words.slice(i + 1) as Word[], via };
    if (valued !== undefined) {
      via.push(name);
      i = pastOptions(words, i + 1, valued);
      if (name === "env") while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.text)) i++;
      // `coproc { …; }` and `coproc NAME { …; }`: the body is the command.
      if (name === "coproc") i += words[i]?.text === "{" ? 1 : words[i + 1]?.text === "{" ? 2 : 0;
    } else if (ONE_ARGUMENT[name] !== undefined) {
      // `taskset -p` and `chrt -p` change a running process: no command follows.
      if ((name === "taskset" || name === "chrt") && words.slice(i + 1).some((w) => /^-[a-z]*p/.test(w.text))) return { program: name, args: words.slice(i + 1) as Word[], via };
      i = pastOptions(words, i + 1, ONE_ARGUMENT[name]!) + 1;
      via.push(name);
    } else if (RUNNERS[name]?.includes(words[i + 1]?.text ?? "")) {
      i = pastOptions(words, i + 2, RUNNER_VALUED);
      via.push(name);
    } else if ((name === "pnpm" || name === "yarn") && words[i + 1] !== undefined && !words[i + 1]!.text.startsWith("-")) {
      // `pnpm kill-port 3000` runs the package's program when no command of pnpm's has that name.
      i++;
      via.push(name);
    } else return { program: name, args: words.slice(i + 1) as Word[], via };
  }
  return { program: null, args: [], via };
}

/** The index of the first word from `from` that is not an option (nor the value of one in `valued`); `--` is passed. */
export function pastOptions(words: readonly Word[], from: number, valued: readonly string[]): number {
  let i = from;
  while (i < words.length && words[i]!.text.startsWith("-") && words[i]!.text !== "-") {
    const word = words[i]!.text;
    i++;
    if (word === "--") break;
    if (valued.includes(word)) i++;
  }
  return i;
}

/** `/usr/bin/pkill` is pkill; `kill-port@latest` and `@scope/x@1.2` name their package's program. */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1).replace(/(.)@[^@]*$/, "$1");
}

export const SHELLS: ReadonlySet<string> = new Set(["sh", "bash", "zsh", "dash", "ksh"]);
/** Programs that run a script given with `-c` (or `--command`): shells and what runs one for another user or under a lock. */
export const SCRIPT_OPTION: ReadonlySet<string> = new Set([...SHELLS, "su", "runuser", "script", "flock"]);

/** `-c`, `-lc`, `--command`, `--command=…`: the option whose value (or own tail) is the script. */
export function scriptOptionAt(word: string): boolean {
  return /^-[a-zA-Z]*c[a-zA-Z]*$/.test(word) || word === "--command" || word.startsWith("--command=");
}
