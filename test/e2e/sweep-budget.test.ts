// reap.timeoutMs is a promise to the agent, kept under CPU load, end to end inside a PID
// namespace: a few hundred targets (half of them ignoring TERM), owner-dead ledger entries,
// busy loops on every core, another writer holding the ledger's lock, and three sweeps at
// once, with budgets of 300 ms to 2 s. Each sweep
// returns within its budget plus a stated margin and says what it did not finish.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
/** The three concurrent sweeps' budgets: one too short for the scan, two that reach the stop and the ledger. */
const BUDGETS = [300, 1000, 2000];
/**
 * What a sweep may take beyond reap.timeoutMs: the last poll or ledger statement that began
 * inside the budget, on a machine whose every core is busy. Generous; the figures are printed.
 */
const MARGIN_MS = 400;
const REAP = { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1s" }, grace: "1s" };

describe("a sweep keeps its budget under load", () => {
  nsTest(
    `300 targets, 10 owner-dead entries, busy cores, a held ledger lock and three concurrent sweeps: each returns within reap.timeoutMs (${BUDGETS.join(", ")} ms) + ${MARGIN_MS} ms`,
    async () => {
      sb = makeSandbox({ reap: { ...REAP, timeoutMs: 20_000 } });
      for (const [i, timeoutMs] of BUDGETS.entries()) await Bun.write(`${sb.dir}/budget${i + 1}.json`, JSON.stringify({ reap: { ...REAP, timeoutMs } }));
      const r = await inNamespace(
        sb,
        String.raw`
sleep 1000 & AGENT=$!
# 150 TERM-ignoring and 150 plain sleeps of a dead session, orphaned at once.
env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=load CLAUDE_PID=$AGENT bash -c 'trap "" TERM; for i in $(seq 150); do sleep 1000 </dev/null >/dev/null 2>&1 & done'
env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=load CLAUDE_PID=$AGENT bash -c 'for i in $(seq 150); do sleep 1000 </dev/null >/dev/null 2>&1 & done'
W=""
for i in $(seq 10); do "$BUN" "$CLI" run -d 0 -n w$i -- bash -c 'trap "" TERM; sleep 1000 & wait' & W="$W $!"; done
wait_until '[ "$(sv ls --json | grep -c "\"pid\": [0-9]")" = 10 ]'
exec 3>&2 2>/dev/null
kill -9 $AGENT $W; wait $AGENT $W
exec 2>&3
wait_until '[ "$(grep -lsxz CLAUDE_CODE_SESSION_ID=load /proc/[0-9]*/environ | wc -l)" = 300 ]'
sleep_pid=$(pgrep -n -x sleep); wait_age $sleep_pid 1100
# Busy loops on every core (and one more), each stopping by itself after 30 s.
for i in 1 2 3; do bash -c 'end=$((SECONDS + 30)); while [ $SECONDS -lt $end ]; do :; done' & done
# Another writer holds the ledger's write lock for 3 s (then lets go by itself), as a busy sweep or wrapper can.
"$BUN" -e 'const { Database } = require("bun:sqlite"); const db = new Database(process.argv[1]); db.run("PRAGMA busy_timeout = 5000"); db.run("BEGIN IMMEDIATE"); console.log("locked"); await Bun.sleep(3000); db.run("ROLLBACK"); db.close()' "$SUPERVISE_HOME/ledger.db" > "$D/lock.out" &
wait_until '[ -s "$D/lock.out" ]'
sleep 0.5
for i in 1 2 3; do ( S=$(date +%s%N); sv reap --json --config "$D/budget$i.json" > "$D/sweep$i.json" 2> "$D/sweep$i.err"; echo "$? $(( ($(date +%s%N) - S) / 1000000 ))" > "$D/sweep$i.status" ) & done
wait_until '[ -s "$D/sweep1.status" ] && [ -s "$D/sweep2.status" ] && [ -s "$D/sweep3.status" ]'
for i in 1 2 3; do echo "SWEEP$i $(tr -d '\n' < "$D/sweep$i.json")"; echo "STATUS$i $(cat "$D/sweep$i.status")"; echo "ERR$i $(tr -d '\n' < "$D/sweep$i.err")"; done
# A budget that is not kept is not the end of it: the next sweep, with time, finishes the job.
echo "FINAL $(sv reap --json | tr -d '\n')"
echo "LEFT $(grep -lsxz CLAUDE_CODE_SESSION_ID=load /proc/[0-9]*/environ | wc -l)"
echo "RUNS $(sv reap --history --json 2>/dev/null | tr -d '\n' | head -c 20000)"
`,
        120_000,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const figures: string[] = [];
      for (const i of [1, 2, 3]) {
        const sweep = JSON.parse(r.values.get(`SWEEP${i}`)!);
        const [status, wallMs] = r.values.get(`STATUS${i}`)!.split(" ").map(Number);
        const timeoutMs = BUDGETS[i - 1]!;
        figures.push(`sweep ${i} (reap.timeoutMs ${timeoutMs}): durationMs ${sweep.durationMs}, wall ${wallMs} ms, ${sweep.targets.length} targets, ${JSON.stringify(sweep.counts)}, errors ${JSON.stringify(sweep.errors)}`);
        expect(status).toBe(0);
        expect(sweep.durationMs).toBeLessThanOrEqual(timeoutMs + MARGIN_MS);
        // What it could not finish, it says.
        const unfinished = sweep.targets.some((t: any) => t.pending) || sweep.targets.length === 0;
        if (unfinished) expect(sweep.errors.some((e: string) => e.startsWith("budget"))).toBe(true);
      }
      console.log(figures.join("\n"));
      const final = JSON.parse(r.values.get("FINAL")!);
      console.log(`final sweep (20 s budget): durationMs ${final.durationMs}, ${final.targets.length} targets, errors ${JSON.stringify(final.errors)}`);
      expect(r.values.get("LEFT")).toBe("0");
    },
    150_000,
  );
});
