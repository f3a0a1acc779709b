// `supervise ls --json` with 10,000 ledger rows (200 running) and `supervise stats` with 30
// reap runs, whole process, against an empty Bun script (target: no more than 3x) and, as
// peers, the sqlite3 CLI reading the same rows as JSON and `ps` listing processes.
// Usage: bun bench/ls-stats.ts [rounds]
//
// The 200 running rows need live wrappers for ls to check; 200 real wrappers would be ~7 GB
// of Bun, so each running row names a live `sleep` as its wrapper and its command (same
// identity check, one /proc read each).

import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openLedger } from "../src/ledger/open.ts";
import { appendRun } from "../src/reap/history.ts";
import { countActions, type ReportTarget } from "../src/reap/report.ts";
import { benchDir, BUN, CLI, compare, fmt, median, percentile } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 40);
const ROWS = 10_000;
const RUNNING = 200;
const b = benchDir();
const sleepers: Bun.Subprocess[] = [];

function startTicks(pid: number): number {
  const text = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
  return Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[19]);
}

try {
  require("node:fs").mkdirSync(b.env.SUPERVISE_HOME!, { recursive: true, mode: 0o700 });
  const { db } = openLedger(b.env.SUPERVISE_HOME!);
  const boot = require("node:fs").readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() as string;
  for (let i = 0; i < RUNNING; i++) sleepers.push(Bun.spawn(["sleep", "600"], { stdio: ["ignore", "ignore", "ignore"] }));
  const insert = db.query(
    `INSERT INTO entries (id, boot_id, pid, pgid, start_ticks, wrapper_pid, wrapper_start_ticks, command, cwd, session, name,
                          started_at, deadline_at, grace_ms, first_signal, state, ended_at, exit_code, end_signal, reason)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3000, 'TERM', ?, ?, ?, ?, ?)`,
  );
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const id = `b${String(i).padStart(9, "0")}`;
      const running = i >= ROWS - RUNNING;
      const sleeper = running ? sleepers[i - (ROWS - RUNNING)]! : null;
      const pid = sleeper?.pid ?? 1000 + (i % 30000);
      const ticks = sleeper ? startTicks(sleeper.pid) : 12345;
      const started = now - (ROWS - i) * 60_000;
      insert.run(id, boot, pid, pid, ticks, pid, ticks, JSON.stringify(["rg", "--json", `pattern-${i}`, "/some/project/path"]), "/some/project", `session-${i % 50}`, i % 3 ? null : `job-${i}`,
        started, started + 3_600_000, running ? "running" : "exited", running ? null : started + 5_000, running ? null : 0, null, null);
    }
  }).immediate();
  for (let r = 0; r < 30; r++) {
    const targets = Array.from({ length: r % 7 }, (_, k) => ({ pid: 100 + k, pgid: 100 + k, name: "rg", command: "rg @TAG x", reason: k % 2 ? "rg-tag" : "agent-shell", ageSeconds: 400, ledgerId: null, action: k % 3 ? "terminated" : "killed", signal: "TERM", durationMs: 12 }) as ReportTarget);
    appendRun(db, now - (30 - r) * 3_600_000, "session-start", `session-${r}`, { scanned: 800, durationMs: 40, dryRun: false, targets, counts: countActions(targets), errors: [] }, 30);
  }
  db.close();

  const ledger = join(b.env.SUPERVISE_HOME!, "ledger.db");
  const results = compare(
    {
      "empty bun script": [BUN, b.emptyScript],
      "supervise ls --json": [BUN, CLI, "ls", "--json"],
      "supervise stats": [BUN, CLI, "stats"],
      "supervise stats --json": [BUN, CLI, "stats", "--json"],
      "sqlite3 -json (peer)": ["sqlite3", "-json", ledger, "SELECT * FROM entries WHERE state = 'running' ORDER BY started_at, id"],
      "ps -e -o ... (peer)": ["ps", "-e", "-o", "pid,stat,etime,args"],
    },
    rounds,
    b.env,
    b.dir,
  );
  const base = median(results["empty bun script"]!);
  console.log(`ls/stats, ${ROWS} ledger rows (${RUNNING} running, live), 30 reap runs; ${rounds} interleaved rounds each`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(24)} ${fmt(median(values)).padStart(9)}  p90 ${fmt(percentile(values, 90)).padStart(9)}  ${(median(values) / base).toFixed(2)}x empty bun`);
  }
  for (const name of ["supervise ls --json", "supervise stats"]) {
    console.log(`${name} / empty bun: ${(median(results[name]!) / base).toFixed(2)}x (target <= 3.00x)`);
  }
  const check = new Database(ledger, { readonly: true });
  console.log(`(check: ${(check.query("SELECT COUNT(*) AS n FROM entries").get() as { n: number }).n} rows)`);
  check.close();
} finally {
  for (const s of sleepers) s.kill("SIGKILL");
  b.cleanup();
}
