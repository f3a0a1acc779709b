// `supervise reap --dry-run` at about 3,500 processes, against `pgrep --older 300 -x rg` and a
// Python/psutil sweep of the seed's rules, whole process, interleaved, in one run. Among the
// processes: 300 session leftovers of a live agent (orphans carrying its cookie, whose
// environment the sweep must read and then leave alone), 500 orphaned shells without an agent
// signature (each with a sleep under it), and idle sleeps for the rest. The floor for the work:
// a 15-line Bun script that reads every /proc/*/stat and /proc/*/environ.
// Targets: at most 1.4x that script and 0.8x pgrep (issue 26), 0.3x the psutil sweep. Also
// timed: each agent's SessionStart hook, whole process, as that agent starts it, against its
// hook timeout, and the PreToolUse hook every Bash call pays, as ratios to an empty Bun script.
// With 0 processes (`bun bench/reap-scan.ts 20 0 0 0`): the fixed cost, in an empty namespace.
// With BASELINE_CLI=<another checkout's src/cli.ts>, that version's reap --dry-run runs in the same rounds.
//
// Everything runs inside a PID namespace (`unshare --pid --fork --mount-proc`), so the
// processes and the sweep are the namespace's own and nothing on the machine is touched; they
// are ended by pid at the end (and by the namespace's end).
// Needs root (or user namespaces) and python3-psutil (Debian: apt-get install python3-psutil).
// Usage: bun bench/reap-scan.ts [rounds] [total-processes] [session-leftovers] [orphaned-shells]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, compare, fmt, median, percentile } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 20);
const total = Number(process.argv[3] ?? 3500);
const leftovers = Number(process.argv[4] ?? 300);
const shells = Number(process.argv[5] ?? 500);
const inside = process.argv[6] === "--inside";
/** Debian's interpreter, where python3-psutil installs (a pyenv shim earlier on PATH would not see it). */
const PYTHON = "/usr/bin/python3";

// The seed's rules over name, cmdline, create_time and status: what a psutil reaper does.
const PSUTIL_SWEEP = String.raw`
import os, re, time, psutil
me = os.getuid(); now = time.time(); tag = re.compile(r"@(TAG|SPEC|CODE|TEST)\b")
found = []
for p in psutil.process_iter(["pid", "ppid", "name", "cmdline", "create_time", "status", "uids"]):
    i = p.info
    if i["uids"] is None or i["uids"].real != me or i["ppid"] != 1 or i["status"] == psutil.STATUS_ZOMBIE:
        continue
    age = now - (i["create_time"] or now); args = " ".join(i["cmdline"] or [])
    if i["name"] in ("rg", "ripgrep") and (age >= 300 or (tag.search(args) and age >= 180)):
        found.append(i["pid"])
    elif i["name"] in ("bash", "sh", "zsh") and age >= 600 and ".claude/shell-snapshots/" in args:
        found.append(i["pid"])
print(len(found))
`;

/** The floor: every process's stat and environment read, nothing judged. */
const READ_ALL = `import { readdirSync, readFileSync } from "node:fs";
let read = 0;
for (const name of readdirSync("/proc")) {
  if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
  try {
    readFileSync(\`/proc/\${name}/stat\`, "latin1");
    readFileSync(\`/proc/\${name}/environ\`, "latin1");
    read++;
  } catch {}
}
console.log(read);
`;

/** Each agent's SessionStart: how it starts the hook, its input, and the timeout install gives the hook. */
const HOOKS = [
  { agent: "claude-code", label: "claude-code session-start", shell: "sh", timeoutMs: 30_000, input: { session_id: "bench-claude", hook_event_name: "SessionStart", source: "startup", transcript_path: "/t.jsonl" } },
  { agent: "gemini", label: "gemini session-start", shell: "bash", timeoutMs: 30_000, input: { session_id: "bench-gemini", hook_event_name: "SessionStart", source: "startup", transcript_path: "/t.jsonl", timestamp: "2026-12-01T00:00:00.000Z" } },
  { agent: "codex", label: "codex session-start", shell: "sh", timeoutMs: 30_000, input: { session_id: "bench-codex", hook_event_name: "SessionStart", source: "startup", transcript_path: "/t.jsonl", model: "gpt-5", permission_mode: "default" } },
];

if (!inside) {
  const probe = Bun.spawnSync([PYTHON, "-c", "import psutil"], { stderr: "pipe" });
  if (probe.exitCode !== 0) {
    console.error("python3-psutil is missing (Debian: apt-get install python3-psutil)");
    process.exit(2);
  }
  const args = [String(rounds), String(total), String(leftovers), String(shells), "--inside"];
  const r = Bun.spawnSync(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", BUN, import.meta.path, ...args], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.exit(r.exitCode ?? 1);
}

const b = benchDir();
const sweepScript = join(b.dir, "psutil_sweep.py");
writeFileSync(sweepScript, PSUTIL_SWEEP);
const readAllScript = join(b.dir, "read-all.ts");
writeFileSync(readAllScript, READ_ALL);
const preToolUse = join(b.dir, "pre-tool-use.json");
writeFileSync(preToolUse, JSON.stringify({ session_id: "bench-claude", transcript_path: "/t.jsonl", cwd: b.dir, permission_mode: "default", hook_event_name: "PreToolUse", tool_name: "Bash", tool_use_id: "toolu_1", tool_input: { command: "npm test", description: "Run tests" } }));
const idle: Bun.Subprocess[] = [];
const quiet = { stdio: ["ignore", "ignore", "ignore"] as ["ignore", "ignore", "ignore"] };
/** Starts `script` under sh, which exits at once: what it started in the background is orphaned. */
const orphan = (script: string, env: Record<string, string> = {}) => Bun.spawnSync(["sh", "-c", `${script} </dev/null >/dev/null 2>&1 & exit 0`], { env: { ...b.env, ...env }, ...quiet });
try {
  const agent = Bun.spawn(["sleep", "100000"], quiet);
  idle.push(agent);
  const cookie = { CLAUDECODE: "1", CLAUDE_CODE_SESSION_ID: "live-session", CLAUDE_PID: String(agent.pid) };
  for (let i = 0; i < leftovers; i++) orphan("sleep 100000", cookie);
  for (let i = 0; i < shells; i++) orphan(`bash -c "sleep 100000; :"`);
  const count = () => Number(Bun.spawnSync(["sh", "-c", "ls -d /proc/[0-9]* | wc -l"]).stdout.toString().trim());
  // The idle rest under one holder, as on a machine where most processes have a live parent.
  const missing = Math.max(0, total - count() - 1);
  // No pipe to it: a holder that is never read from must not die of SIGPIPE (its sleeps would become orphans).
  idle.push(Bun.spawn(["sh", "-c", `i=0; while [ $i -lt ${missing} ]; do sleep 100000 & i=$((i+1)); done; wait`], quiet));
  for (const deadline = Date.now() + 60_000; count() < total; await Bun.sleep(50)) {
    if (Date.now() > deadline) throw new Error(`only ${count()} of ${total} processes after 60 s`);
  }
  // Each agent's SessionStart hook as that agent runs it (a shell, JSON on stdin): a real
  // sweep here, inside the namespace, which finds nothing to end.
  const hookRuns = Object.fromEntries(HOOKS.map((hook) => {
    const input = join(b.dir, `session-start-${hook.agent}.json`);
    writeFileSync(input, JSON.stringify({ ...hook.input, cwd: b.dir }));
    return [hook.label, [hook.shell, "-c", `exec "${BUN}" "${CLI}" hook --agent ${hook.agent} session-start < "${input}" > /dev/null`]];
  }));
  const results = compare(
    {
      "empty bun script": [BUN, b.emptyScript],
      "read every stat+environ": [BUN, readAllScript],
      "supervise reap --dry-run": [BUN, CLI, "reap", "--dry-run", "--json"],
      ...(process.env.BASELINE_CLI ? { "baseline reap --dry-run": [BUN, process.env.BASELINE_CLI, "reap", "--dry-run", "--json"] } : {}),
      ...hookRuns,
      "claude-code pre-tool-use": ["sh", "-c", `exec "${BUN}" "${CLI}" hook pre-tool-use < "${preToolUse}" > /dev/null`],
      "pgrep --older 300 -x rg": ["sh", "-c", "pgrep --older 300 -x rg; true"],
      "psutil sweep": [PYTHON, sweepScript],
    },
    rounds,
    b.env,
    b.dir,
  );
  const processes = Bun.spawnSync(["sh", "-c", "ls -d /proc/[0-9]* | wc -l"]).stdout.toString().trim();
  const reap = median(results["supervise reap --dry-run"]!);
  console.log(`reap scan, ${processes} processes in the namespace, ${rounds} interleaved rounds (median, p90, ratio to supervise)`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(26)} ${fmt(median(values)).padStart(10)}  p90 ${fmt(percentile(values, 90)).padStart(10)}  ${(median(values) / reap).toFixed(2)}x`);
  }
  const ratio = (name: string) => reap / median(results[name]!);
  console.log(`supervise / read-every-stat+environ script: ${ratio("read every stat+environ").toFixed(2)}x (target <= 1.4x); / pgrep: ${ratio("pgrep --older 300 -x rg").toFixed(2)}x (target <= 0.8x); / psutil: ${ratio("psutil sweep").toFixed(2)}x (target <= 0.3x)`);
  const empty = median(results["empty bun script"]!);
  console.log(`PreToolUse hook (a foreground Bash call): ${fmt(median(results["claude-code pre-tool-use"]!))} median, ${(median(results["claude-code pre-tool-use"]!) / empty).toFixed(2)}x the empty script`);
  for (const hook of HOOKS) {
    const values = results[hook.label]!;
    const max = Math.max(...values);
    console.log(`${hook.agent} SessionStart hook: ${fmt(median(values))} median (${(median(values) / empty).toFixed(1)}x the empty script), ${fmt(max)} max; ${((max / hook.timeoutMs) * 100).toFixed(2)}% of the ${hook.timeoutMs / 1000} s timeout install gives it`);
  }
  const dry = JSON.parse(Bun.spawnSync([BUN, CLI, "reap", "--dry-run", "--json"], { env: b.env, cwd: b.dir }).stdout.toString());
  console.log(`the sweep's targets: ${dry.targets.length} (the live agent's ${leftovers} leftovers and the ${shells} plain shells are left alone)`);
} finally {
  for (const p of idle) p.kill("SIGKILL");
  await Promise.all(idle.map((p) => p.exited));
  b.cleanup();
  // The orphans' parent is this process, the namespace's init; its end ends them.
}
