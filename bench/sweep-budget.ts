// Two promises of the sweep, measured inside a PID namespace (`unshare --pid --fork --mount-proc`),
// so that every process and every sweep is the namespace's own and nothing on the machine is touched:
//
// 1. reap.timeoutMs holds under load. Each round plants TARGETS leftovers of a dead session (half
//    of them ignoring TERM) and 10 owner-dead ledger entries, busies every core with bounded busy
//    loops, has another writer hold the ledger's lock (with --locked), and runs one sweep per
//    budget at once. Printed per budget: durationMs (median, max) and the largest overshoot past
//    reap.timeoutMs, the wall time of the whole `supervise reap`, and how many targets the sweep
//    saw gone. Target: overshoot <= 100 ms.
// 2. What a spawner forks during the sweep dies with it. Each round a TERM-ignoring leftover forks
//    `setsid` children in a loop (at most 490 forks, stopping by itself after 20 s); after one
//    sweep, how many processes still carry its session's cookie. Target: 0.
//
// Needs root (or user namespaces). Usage: bun bench/sweep-budget.ts [rounds] [targets] [budgets,ms] [--locked]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, median } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 5);
const targets = Number(process.argv[3] ?? 300);
const budgets = (process.argv[4] ?? "300,1000,5000").split(",").map(Number);
const locked = process.argv.includes("--locked");
const REAP = { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1s" }, grace: "1s" };

const b = benchDir();
writeFileSync(join(b.dir, "config.json"), JSON.stringify({ reap: { ...REAP, timeoutMs: 20_000 } }));
for (const ms of budgets) writeFileSync(join(b.dir, `budget-${ms}.json`), JSON.stringify({ reap: { ...REAP, timeoutMs: ms } }));

const PRELUDE = String.raw`
set -u
sv() { "$BUN" "$CLI" "$@"; }
carrying() { grep -lsxz -- "$1" /proc/[0-9]*/environ | wc -l; }
wait_until() { local end=$((SECONDS + 60)); until eval "$1"; do [ $SECONDS -ge $end ] && { echo "timed out: $1" >&2; return 1; }; sleep 0.05; done; }
ln -sf /bin/bash "$D/node"
# How many entries named PREFIX... have their command's pid recorded.
launched() { sv ls --json | "$BUN" -e 'console.log((await Bun.stdin.json()).filter((e) => e.name?.startsWith(process.argv.at(-1)) && e.pid).length)' "$1"; }
`;

/** One round of the budget trial: a line per budget, `BUDGET ms durationMs wallMs gone targets`. */
const budgetRound = (round: number) => String.raw`
sleep 100000 & AGENT=$!
half=$((${targets} / 2))
env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=load${round} CLAUDE_PID=$AGENT bash -c "trap '' TERM; for i in \$(seq $half); do sleep 100000 </dev/null >/dev/null 2>&1 & done"
env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=load${round} CLAUDE_PID=$AGENT bash -c "for i in \$(seq $half); do sleep 100000 </dev/null >/dev/null 2>&1 & done"
W=""
for i in $(seq 10); do "$BUN" "$CLI" run -d 0 -n r${round}w$i -- bash -c 'trap "" TERM; sleep 100000 & wait' & W="$W $!"; done
wait_until '[ "$(launched r${round}w)" = 10 ]'
kill -9 $AGENT $W 2>/dev/null; wait $AGENT $W 2>/dev/null
sleep 1.2
BUSY=""
for i in 1 2 3; do bash -c 'end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do :; done' & BUSY="$BUSY $!"; done
${locked ? String.raw`"$BUN" -e 'const { Database } = require("bun:sqlite"); const db = new Database(process.argv[1]); db.run("PRAGMA busy_timeout = 5000"); db.run("BEGIN IMMEDIATE"); console.log("locked"); await Bun.sleep(Number(process.argv[2])); db.run("ROLLBACK")' "$SUPERVISE_HOME/ledger.db" ${Math.max(...budgets) + 2000} > "$D/lock.out" &
wait_until '[ -s "$D/lock.out" ]'; rm -f "$D/lock.out"` : ""}
sleep 0.3
for ms in ${budgets.join(" ")}; do ( S=$(date +%s%N); sv reap --json --config "$D/budget-$ms.json" > "$D/sweep-$ms.json" 2>/dev/null; echo "$(( ($(date +%s%N) - S) / 1000000 ))" > "$D/wall-$ms" ) & done
wait_until '${budgets.map((ms) => `[ -s "$D/wall-${ms}" ]`).join(" && ")}'
for ms in ${budgets.join(" ")}; do
  "$BUN" -e 'const r = await Bun.file(process.argv[1]).json(); console.log("BUDGET", process.argv[2], r.durationMs, process.argv[3], r.counts.terminated + r.counts.killed + r.counts.gone, r.targets.length)' "$D/sweep-$ms.json" $ms "$(cat "$D/wall-$ms")"
  rm -f "$D/sweep-$ms.json" "$D/wall-$ms"
done
# What the budgets left, and the busy loops, are ended before the next round.
sv reap --json > /dev/null 2>&1
kill $BUSY 2>/dev/null; wait $BUSY 2>/dev/null
echo "LEFT $(carrying CLAUDE_CODE_SESSION_ID=load${round})"
`;

/** One round of the spawner trial: `SPAWNER forkedBefore forkedAfter left`. */
const spawnerRound = (round: number) => String.raw`
sleep 100000 & AGENT=$!
# Orphaned at once (its parent, a subshell, exits), as a dead session's leftover is.
( env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=fork${round} CLAUDE_PID=$AGENT "$D/node" -c 'trap "" TERM; n=0; end=$((SECONDS + 20))
while [ $n -lt 490 ] && [ $SECONDS -lt $end ]; do setsid sleep 100000 </dev/null >/dev/null 2>&1 & n=$((n + 2)); printf xx >> "$0"; sleep 0.01; done; wait' "$D/forked" </dev/null >/dev/null 2>&1 & echo $! > "$D/spawner.pid" )
SPAWNER=$(cat "$D/spawner.pid")
kill -9 $AGENT; wait $AGENT 2>/dev/null
sleep 1.3
# One byte per fork, appended: the file only grows.
forked() { stat -c %s "$D/forked" 2>/dev/null || echo 0; }
BEFORE=$(forked)
sv reap --json > /dev/null 2>&1
echo "SPAWNER $BEFORE $(forked) $(carrying CLAUDE_CODE_SESSION_ID=fork${round})"
kill -9 $SPAWNER 2>/dev/null; sv reap --json > /dev/null 2>&1
rm -f "$D/forked"
`;

function inNamespace(script: string): string {
  const path = join(b.dir, "round.sh");
  writeFileSync(path, PRELUDE + script);
  const r = Bun.spawnSync(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "bash", "-c", 'bash "$0"; exit $?', path], {
    env: { ...b.env, BUN, CLI, D: b.dir },
    cwd: b.dir,
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 300_000,
  });
  if (r.exitCode !== 0) throw new Error(`round failed (exit ${r.exitCode})`);
  return r.stdout.toString();
}

try {
  const byBudget = new Map<number, { duration: number[]; wall: number[]; gone: number[]; seen: number[] }>(budgets.map((ms) => [ms, { duration: [], wall: [], gone: [], seen: [] }]));
  const spawner: Array<{ before: number; after: number; left: number }> = [];
  for (let round = 0; round < rounds; round++) {
    // One namespace per round: its end ends whatever a round left.
    for (const line of inNamespace(budgetRound(round) + spawnerRound(round)).split("\n")) {
      const [key, ...f] = line.split(" ");
      if (key === "BUDGET") {
        const m = byBudget.get(Number(f[0]))!;
        m.duration.push(Number(f[1]));
        m.wall.push(Number(f[2]));
        m.gone.push(Number(f[3]));
        m.seen.push(Number(f[4]));
      } else if (key === "SPAWNER") spawner.push({ before: Number(f[0]), after: Number(f[1]), left: Number(f[2]) });
      else if (key === "LEFT" && f[0] !== "0") console.log(`round ${round}: ${f[0]} leftovers outlived the cleanup sweep`);
    }
  }
  console.log(`reap.timeoutMs under load: ${rounds} rounds, ${targets} leftovers + 10 owner-dead entries, 3 busy loops on 2+ cores, ${budgets.length} sweeps at once${locked ? ", ledger lock held by another writer" : ""}`);
  let worst = -Infinity;
  for (const [ms, m] of byBudget) {
    const over = Math.max(...m.duration.map((d) => d - ms));
    worst = Math.max(worst, over);
    console.log(
      `  timeoutMs ${String(ms).padStart(5)}: durationMs median ${median(m.duration)} max ${Math.max(...m.duration)} (overshoot max ${over} ms); wall median ${median(m.wall)} ms; targets seen gone ${median(m.gone)} of ${median(m.seen)} (median)`,
    );
  }
  console.log(`largest overshoot past reap.timeoutMs: ${worst} ms (target <= 100 ms)`);
  const left = spawner.map((s) => s.left);
  console.log(
    `spawner forking setsid children: forked ${median(spawner.map((s) => s.before))} before the sweep, ${median(spawner.map((s) => s.after))} by its end (median); left after one sweep: ${left.join(", ")} (target 0)`,
  );
} finally {
  b.cleanup();
}
