// `supervise run -- true` against an empty Bun script and GNU `timeout 10 true`, whole
// process, interleaved, in one run. Target: median no more than 2.0x the empty Bun script.
// Usage: bun bench/run-overhead.ts [rounds]

import { benchDir, BUN, CLI, compare, fmt, median, percentile } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 200);
const b = benchDir();
try {
  const results = compare(
    {
      "empty bun script": [BUN, b.emptyScript],
      "supervise run -- true": [BUN, CLI, "run", "--", "true"],
      "timeout 10 true": ["timeout", "10", "true"],
    },
    rounds,
    b.env,
    b.dir,
  );
  const base = median(results["empty bun script"]!);
  console.log(`run overhead, ${rounds} interleaved rounds each (median, p90, ratio of medians to the empty Bun script)`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(24)} ${fmt(median(values)).padStart(9)}  p90 ${fmt(percentile(values, 90)).padStart(9)}  ${(median(values) / base).toFixed(2)}x`);
  }
  const ratio = median(results["supervise run -- true"]!) / base;
  console.log(`supervise run / empty bun: ${ratio.toFixed(2)}x (target <= 2.00x); supervise run / timeout: ${(median(results["supervise run -- true"]!) / median(results["timeout 10 true"]!)).toFixed(1)}x`);
} finally {
  b.cleanup();
}
