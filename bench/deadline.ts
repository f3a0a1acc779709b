// Deadline precision: `--deadline 1s -- sleep 100` should end within 1.15 s of launch; with
// a TERM-ignoring child and `--grace 1s`, within 2.15 s. GNU timeout (`-k 1 1`) is the peer.
// Usage: bun bench/deadline.ts [rounds]

import { benchDir, BUN, CLI, fmt, median, wall } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 10);
const b = benchDir();
const ignoring = ["sh", "-c", "trap '' TERM; sleep 100"];
const cases: Array<[string, string[], number, number]> = [
  ["supervise --deadline 1s -- sleep 100", [BUN, CLI, "run", "--deadline", "1s", "--", "sleep", "100"], 124, 1150],
  ["timeout 1 sleep 100", ["timeout", "1", "sleep", "100"], 124, 1150],
  // The command itself needed SIGKILL: 137, as GNU timeout gives (the contract's GNU spellings).
  ["supervise -d 1s -g 1s, TERM ignored", [BUN, CLI, "run", "-d", "1s", "-g", "1s", "--", ...ignoring], 137, 2150],
  // timeout -k ends by SIGKILLing its own group, itself included: no exit code (-1 here).
  ["timeout -k 1 1, TERM ignored", ["timeout", "-k", "1", "1", ...ignoring], -1, 2150],
];
try {
  console.log(`deadline precision, ${rounds} rounds each (whole process wall)`);
  for (const [name, cmd, expectedExit, target] of cases) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = wall(cmd, b.env, b.dir);
      if (r.exitCode !== expectedExit) throw new Error(`${name}: exit ${r.exitCode}, expected ${expectedExit}`);
      times.push(r.ms);
    }
    const max = Math.max(...times);
    console.log(`  ${name.padEnd(38)} median ${fmt(median(times))}  max ${fmt(max)}  target < ${target} ms: ${max < target ? "met" : "MISSED"}`);
  }
} finally {
  b.cleanup();
}
