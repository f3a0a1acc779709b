// The PreToolUse hook for a foreground Bash command (the common case: nothing to do),
// whole process, against an empty Bun script reading the same stdin (target: no more than
// 2x the empty script) and `jq` making the same decision as a peer. The background-command
// path (config load and rewrite) is timed too, for the record. The state dir holds a ledger
// with entries of the call's session, so the hook reads what to tell the agent as it would.
// With BASELINE_CLI=<another checkout's src/cli.ts>, that version's hook is timed in the same
// rounds (issue 23's budget: at most 2 ms more than the hook before telling).
// Usage: [BASELINE_CLI=…] bun bench/pre-tool-use.ts [rounds]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, fmt, median, percentile } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 60);
const b = benchDir();

function wallWithStdin(cmd: string[], stdinPath: string): number {
  const start = performance.now();
  const r = Bun.spawnSync(cmd, { env: b.env, cwd: b.dir, stdin: Bun.file(stdinPath), stdout: "ignore", stderr: "inherit" });
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${r.exitCode}`);
  return ms;
}

try {
  // The periodic sweep must not run against this machine: off in the bench's config.
  writeFileSync(b.env.SUPERVISE_CONFIG!, JSON.stringify({ hooks: { reapInterval: "none" } }));
  const foreground = join(b.dir, "foreground.json");
  const background = join(b.dir, "background.json");
  const base = { session_id: "bench-session", transcript_path: "/tmp/t.jsonl", cwd: b.dir, permission_mode: "default", hook_event_name: "PreToolUse", tool_name: "Bash", tool_use_id: "toolu_1" };
  writeFileSync(foreground, JSON.stringify({ ...base, tool_input: { command: "npm test", description: "Run tests", run_in_background: false } }));
  writeFileSync(background, JSON.stringify({ ...base, tool_input: { command: "npm run dev", description: "Dev server", run_in_background: true } }));
  // Entries of this session and of others, ended and running, as a day of an agent's work leaves them.
  for (let i = 0; i < 20; i++) Bun.spawnSync([BUN, CLI, "run", "--session", i % 4 === 0 ? "bench-session" : `other-${i}`, "--session-bound", "--", "true"], { env: b.env, cwd: b.dir, stdio: ["ignore", "ignore", "inherit"] });
  const readStdin = join(b.dir, "read-stdin.ts");
  writeFileSync(readStdin, "JSON.parse(await Bun.stdin.text());\n");

  const commands: Record<string, [string[], string]> = {
    "empty bun script": [[BUN, b.emptyScript], foreground],
    "bun script reading stdin": [[BUN, readStdin], foreground],
    "hook, foreground Bash": [[BUN, CLI, "hook", "pre-tool-use"], foreground],
    "hook, background Bash": [[BUN, CLI, "hook", "pre-tool-use"], background],
    "jq decision (peer)": [["jq", "-e", '.tool_name == "Bash" and .tool_input.run_in_background == true'], foreground],
  };
  const baseline = process.env.BASELINE_CLI;
  if (baseline) commands["baseline hook, foreground"] = [[BUN, baseline, "hook", "pre-tool-use"], foreground];
  const results: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) results[name] = [];
  for (const [cmd, input] of Object.values(commands)) for (let i = 0; i < 3; i++) { try { wallWithStdin(cmd, input); } catch {} }
  for (let i = 0; i < rounds; i++) {
    for (const [name, [cmd, input]] of Object.entries(commands)) {
      // jq -e exits 1 for "false": that is its answer, not a failure.
      if (name.startsWith("jq")) {
        const start = performance.now();
        Bun.spawnSync(cmd, { stdin: Bun.file(input), stdout: "ignore" });
        results[name]!.push(performance.now() - start);
      } else results[name]!.push(wallWithStdin(cmd, input));
    }
  }
  const empty = median(results["empty bun script"]!);
  console.log(`PreToolUse hook, ${rounds} interleaved rounds each (median, p90, ratio to the empty Bun script)`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(26)} ${fmt(median(values)).padStart(9)}  p90 ${fmt(percentile(values, 90)).padStart(9)}  ${(median(values) / empty).toFixed(2)}x`);
  }
  console.log(`hook (foreground Bash) / empty bun: ${(median(results["hook, foreground Bash"]!) / empty).toFixed(2)}x (target <= 2.00x)`);
  if (baseline) {
    const more = median(results["hook, foreground Bash"]!) - median(results["baseline hook, foreground"]!);
    console.log(`hook - baseline hook: ${fmt(more)} (${(more / empty).toFixed(2)}x of the empty script; target <= 2 ms)`);
  }
} finally {
  b.cleanup();
}
