// The prefix form (`supervise npm run dev`) runs any first word that is not one of our
// commands. A mistyped command word then ran a program under a deadline: `supervise stat`
// ran /usr/bin/stat, `supervise rm victim` deleted the file. A first word is refused when it
// is a task manager's usual verb, or when no program on PATH has it and it is a command's
// near miss. Real programs close to a short command (`rg`, `go`, `gcc`, `du`) still run.

import { nearest } from "../text/nearest.ts";

/** Other managers' verbs (pueue, docker, systemctl, GNU habits), and what supervise calls that. */
const VERBS: Record<string, string> = {
  status: "ls",
  list: "ls",
  log: "logs",
  rm: "gc",
  remove: "gc",
  stop: "kill",
  start: "run",
  version: "--version",
  stat: "stats",
};

/** The refusal for a first word that is neither ours nor clearly a program; null: run it. */
export function refusedFirstWord(word: string, commands: readonly string[], onPath: (word: string) => boolean): string | null {
  if (word.includes("/") || word.startsWith("-")) return null;
  const verb = Object.hasOwn(VERBS, word) ? VERBS[word]! : null;
  const near = verb ?? nearestCommand(word, commands);
  if (near === null || (verb === null && onPath(word))) return null;
  return `'${word}' is not a supervise command (did you mean '${near}'?); to run the program: supervise run -- ${word}`;
}

/** The command within reach of a typo: one edit for a word of up to four letters, two beyond. */
function nearestCommand(word: string, commands: readonly string[]): string | null {
  return nearest(word, commands, word.length <= 4 ? 1 : 2);
}
