// The prefix form (`supervise npm run dev`) runs any first word that is not one of our
// commands. A mistyped command word then ran a program under a deadline: `supervise stat`
// ran /usr/bin/stat, `supervise rm victim` deleted the file. A first word is refused when it
// is a task manager's usual verb, or when no program on PATH has it and it is a command's
// near miss. Real programs close to a short command (`rg`, `go`, `gcc`, `du`) still run.

/** Other managers' verbs (pueue, docker, systemctl, GNU habits), and what supervise calls that. */
const VERBS: Record<string, string> = {
  status: "ls",
  list: "ls",
  log: "logs",
  rm: "gc",
  remove: "gc",
  restart: "run",
  stop: "kill",
  start: "run",
  version: "--version",
  top: "ps",
  stat: "stats",
};

/** The refusal for a first word that is neither ours nor clearly a program; null: run it. */
export function refusedFirstWord(word: string, commands: readonly string[], onPath: (word: string) => boolean): string | null {
  if (word.includes("/") || word.startsWith("-")) return null;
  const verb = Object.hasOwn(VERBS, word) ? VERBS[word]! : null;
  const near = verb ?? nearest(word, commands);
  if (near === null || (verb === null && onPath(word))) return null;
  return `'${word}' is not a supervise command (did you mean '${near}'?); to run the program: supervise run -- ${word}`;
}

/** The command within reach of a typo: one edit for a word of up to four letters, two beyond. */
function nearest(word: string, commands: readonly string[]): string | null {
  const reach = word.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = reach + 1;
  for (const command of commands) {
    const d = editDistance(word, command);
    if (d > 0 && d < bestDistance) [best, bestDistance] = [command, d];
  }
  return best;
}

/** Levenshtein distance with adjacent transpositions (`sohw` is one edit from `show`). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i]![j] = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i]![j] = Math.min(rows[i]![j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}
