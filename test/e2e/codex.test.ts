// End to end with the real Codex CLI (pinned dev dependency), `codex exec` driven offline by
// a mock of the Responses API. The hooks run because `supervise install --agent codex`
// recorded their trust, not through Codex's bypass flag. Every codex run is inside a PID
// namespace: the installed SessionStart hook runs a real sweep.

import { Database } from "bun:sqlite";
import { describe, expect, setDefaultTimeout } from "bun:test";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startMockCodex } from "../helpers/mock-codex.ts";
import { agentSuite, toldOnce } from "../helpers/agent-e2e.ts";
import { inNamespace } from "../helpers/namespace.ts";
import { BUN, CLI } from "../helpers/sandbox.ts";

setDefaultTimeout(120_000);
const suite = agentSuite("Codex CLI", "codex");
const CODEX = suite.bin;
const e2e = suite.e2e;

const mock = (options: Parameters<typeof startMockCodex>[0]) => suite.mock(startMockCodex(options));

/** A command that leaves a detached "dev server" and runs a pipeline that outlives its yield. */
const LEAKY = (dir: string, port: number) => `setsid -f ${dir}/s/vite ${port} < /dev/null > /dev/null 2>&1; sleep 1000 | sleep 1001`;

/** `codex exec` against a mock, with no traffic beyond loopback and no hook-trust bypass. */
const CODEX_EXEC = String.raw`codex_exec() {
  local api=$1; shift
  HOME="$CHOME" CODEX_HOME="$CHOME/.codex" MOCK_API_KEY=sk-mock "$CODEX" exec \
    -c 'model="mock-model"' -c 'model_provider="mock"' -c 'model_providers.mock.name="mock"' \
    -c "model_providers.mock.base_url=\"$api\"" -c 'model_providers.mock.env_key="MOCK_API_KEY"' \
    -c 'model_providers.mock.wire_api="responses"' -c analytics.enabled=false --disable plugins \
    --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox --json "$@" < /dev/null
}
thread_of() { grep -o '"thread_id":"[^"]*"' "$1" | head -1 | cut -d'"' -f4; }
`;

describe("Codex CLI (real) with supervise installed in the project", () => {
  e2e("a crashed session's setsid dev server and orphaned pipeline end at the next session's SessionStart as session-gone; a live session's leak is left alone", async () => {
    // sessionGone 4s: the sessions started in between must find session 1's leftovers too young.
    const sb = suite.sandbox({ reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "4s" }, grace: "1s" } });
    const home = join(sb.dir, "home");
    const project = join(sb.dir, "project");
    mkdirSync(join(home, ".codex"), { recursive: true });
    mkdirSync(project);
    const installed = await runCli(sb, ["install", "--agent", "codex", "--project"], { env: { HOME: home }, cwd: project });
    expect(installed.exitCode).toBe(0);
    expect(installed.stdout).toContain("recorded Codex's trust in supervise's hooks in");
    // The user trusts the project, as install told them to.
    expect(installed.stderr).toContain(`[projects."${project}"] trust_level = "trusted"`);
    appendFileSync(join(home, ".codex", "config.toml"), `\n[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    Object.assign(sb.env, { CODEX, CHOME: home, PROJ: project });

    const crashed = mock({ commands: [LEAKY(sb.dir, 1000)], holdFinalAnswer: true });
    const live = mock({ commands: [LEAKY(sb.dir, 2000)], holdFinalAnswer: true });
    const stale = mock({ commands: [LEAKY(sb.dir, 3000)], holdFinalAnswer: true });
    const next = mock({ commands: [] });
    const r = await inNamespace(
      sb,
      CODEX_EXEC +
        String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
cd "$PROJ"
codex_exec "$API1" "start the dev server" > "$D/codex1.jsonl" 2> "$D/codex1.err" &
LAUNCHER1=$!
wait_until 'pgrep -f "^$D/s/vite 1000" > /dev/null && [ -n "$(pgrep -x -f "sleep 1001")" ] && [ -n "$(thread_of "$D/codex1.jsonl")" ]'
# Only session 1 runs now: its native codex (comm codex) sits under the node launcher.
NATIVE1=$(pgrep -x codex)
echo "OWNER1 $NATIVE1 $(stat_field $NATIVE1 20)"
VITE1=$(pgrep -f "^$D/s/vite 1000")
PIPE1="$(pgrep -x -f 'sleep 1000') $(pgrep -x -f 'sleep 1001')"
echo "THREAD1 $(thread_of "$D/codex1.jsonl")"
echo "LEAK1_CARRIES_THREAD $(tr '\0' '\n' < /proc/$VITE1/environ | grep -c "^CODEX_THREAD_ID=$(thread_of "$D/codex1.jsonl")$")"
# A live thread whose record no longer names its codex (as when a codex no hook recorded
# resumed it): only the thread's lock, held by that codex, says it lives.
codex_exec "$API4" "start a third dev server" > "$D/codex4.jsonl" 2> "$D/codex4.err" &
LAUNCHER4=$!
wait_until 'pgrep -f "^$D/s/vite 3000" > /dev/null && [ -n "$(thread_of "$D/codex4.jsonl")" ]'
VITE4=$(pgrep -f "^$D/s/vite 3000")
THREAD4=$(thread_of "$D/codex4.jsonl")
echo "THREAD4 $THREAD4"
"$BUN" -e 'new (require("bun:sqlite").Database)(process.argv[1]).run("UPDATE sessions SET owner_start_ticks = owner_start_ticks + 1 WHERE session = ?", [process.argv[2]])' "$SUPERVISE_HOME/ledger.db" "$THREAD4"
LOCK4="$CHOME/.codex/thread-writer-locks/$THREAD4.lock"
echo "LOCK4_HELD $(grep -c " FLOCK .* $(printf '%02x:%02x' $(( 0x$(stat -c %D "$LOCK4") >> 8 )) $(( 0x$(stat -c %D "$LOCK4") & 0xff ))):$(stat -c %i "$LOCK4") " /proc/locks)"

# The native codex dies as in a crash; the launcher follows it.
kill -KILL $NATIVE1
{ wait $LAUNCHER1; } 2> /dev/null
echo "ALIVE_AFTER_CRASH $(for p in $VITE1 $PIPE1; do alive $p; done | tr '\n' ' ')"

codex_exec "$API2" "start another dev server" > "$D/codex2.jsonl" 2> "$D/codex2.err" &
LAUNCHER2=$!
wait_until 'pgrep -f "^$D/s/vite 2000" > /dev/null && [ -n "$(thread_of "$D/codex2.jsonl")" ]'
VITE2=$(pgrep -f "^$D/s/vite 2000")
echo "THREAD2 $(thread_of "$D/codex2.jsonl")"

wait_age $VITE1 4100
wait_age $VITE2 4100
wait_age $VITE4 4100

codex_exec "$API3" "hello" > "$D/codex3.jsonl" 2> "$D/codex3.err"
echo "CODEX3_EXIT $?"
echo "THREAD3 $(thread_of "$D/codex3.jsonl")"
wait_until 'for p in $VITE1 $PIPE1; do [ "$(alive $p)" = no ] || exit 1; done'
echo "LEFT_GONE yes"
echo "LIVE_LEAK $(alive $VITE2)"
echo "LOCKED_LEAK $(alive $VITE4)"
echo "STATS $(sv stats --json | tr -d '\n')"
wait_until 'grep -qs "\"msg\":\"session end\"" "$SUPERVISE_HOME/supervise.log"'
echo "LOG $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tail -1)"
{ kill -KILL $(pgrep -x codex) $VITE2 $VITE4; wait $LAUNCHER2 $LAUNCHER4; } 2> /dev/null
true
`
          .replace(/\$API1/g, crashed.url)
          .replace(/\$API2/g, live.url)
          .replace(/\$API3/g, next.url)
          .replace(/\$API4/g, stale.url),
      100_000,
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const [thread1, thread2, thread3] = ["THREAD1", "THREAD2", "THREAD3"].map((k) => r.values.get(k)!);

    expect(new Set([thread1, thread2, thread3]).size).toBe(3);
    expect(r.values.get("LEAK1_CARRIES_THREAD")).toBe("1");
    // Codex itself ended none of it: the dev server and both halves of the pipeline live on.
    expect(r.values.get("ALIVE_AFTER_CRASH")).toBe("yes yes yes ");
    expect(r.values.get("CODEX3_EXIT")).toBe("0");

    // Session 3's SessionStart ended the crashed session's leftovers, and only those.
    expect(r.values.get("LEFT_GONE")).toBe("yes");
    expect(r.values.get("LIVE_LEAK")).toBe("yes");
    // The thread whose record went stale: its codex holds the thread lock, which keeps it alive.
    expect(r.values.get("LOCK4_HELD")).toBe("1");
    expect(r.values.get("LOCKED_LEAK")).toBe("yes");
    const stats = JSON.parse(r.values.get("STATS")!);
    const sweep = stats.perRun.find((run: any) => run.trigger === "session-start" && run.session === thread3);
    expect(sweep).toMatchObject({ dryRun: false, cleaned: 3, counts: { terminated: 3, failed: 0 } });
    expect(stats.reasons).toEqual({ "session-gone": 3 });

    // Each SessionStart recorded its thread with the native codex process that ran the hook.
    const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
    const rows = db.query("SELECT agent, session, owner_pid, owner_start_ticks FROM sessions ORDER BY started_at").all();
    db.close();
    const [ownerPid, ownerTicks] = r.values.get("OWNER1")!.split(" ").map(Number);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({ agent: "codex", session: thread1, owner_pid: ownerPid, owner_start_ticks: ownerTicks });
    expect(rows.map((row: any) => row.session)).toEqual([thread1, r.values.get("THREAD4"), thread2, thread3]);
    // Its normal end fired SessionEnd (Codex's reason is always "other"), which found nothing of its own to end.
    expect(JSON.parse(r.values.get("LOG")!)).toMatchObject({ msg: "session end", session: thread3, reason: "other", stopping: [], leftovers: [] });
    // The next session was told what was ended.
    expect(JSON.stringify(next.requests[0])).toContain("vite 1000 (session-gone)");
  });

  e2e("Ctrl-C: Codex ends the command's group and fires SessionEnd (reason other), which ends the setsid dev server Codex leaves", async () => {
    const sb = suite.sandbox({ reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1h" }, grace: "1s" } });
    const home = join(sb.dir, "home");
    mkdirSync(join(home, ".codex"), { recursive: true });
    // User hooks this time: they need no trusted project, only the trust install records.
    expect((await runCli(sb, ["install", "--agent", "codex", "--user"], { env: { HOME: home } })).exitCode).toBe(0);
    Object.assign(sb.env, { CODEX, CHOME: home, PROJ: sb.dir });
    const api = mock({ commands: [LEAKY(sb.dir, 4000)], holdFinalAnswer: true });
    const r = await inNamespace(
      sb,
      CODEX_EXEC +
        String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
codex_exec "$API" "start the dev server" > "$D/codex.jsonl" 2> "$D/codex.err" &
LAUNCHER=$!
wait_until 'pgrep -f "^$D/s/vite 4000" > /dev/null && [ -n "$(pgrep -x -f "sleep 1001")" ]'
VITE=$(pgrep -f "^$D/s/vite 4000")
PIPE="$(pgrep -x -f 'sleep 1000') $(pgrep -x -f 'sleep 1001')"
echo "VITE $VITE"
echo "THREAD $(thread_of "$D/codex.jsonl")"
kill -INT $(pgrep -x codex)
{ wait $LAUNCHER; } 2> /dev/null
wait_until '[ "$(alive $VITE)" = no ] && for p in $PIPE; do [ "$(alive $p)" = no ] || exit 1; done'
echo "VITE_GONE yes"
wait_until 'grep -qs "\"msg\":\"session end\"" "$SUPERVISE_HOME/supervise.log"'
echo "END $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tail -1)"
`.replace(/\$API/g, api.url),
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const thread = r.values.get("THREAD")!;
    expect(r.values.get("VITE_GONE")).toBe("yes");
    const end = JSON.parse(r.values.get("END")!);
    expect(end).toMatchObject({ msg: "session end", session: thread, reason: "other" });
    // The hook's own first signal ended it: SessionEnd named it among the session's leftovers.
    expect(end.leftovers).toContain(Number(r.values.get("VITE")));
  });

  e2e("the model is told, once, that a `supervise run` it started in a background terminal stalled: through the next call's PostToolUse", async () => {
    const sb = suite.sandbox({ run: { stallAfter: "1s" }, reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1h" }, grace: "1s" } });
    const home = join(sb.dir, "home");
    mkdirSync(join(home, ".codex"), { recursive: true });
    expect((await runCli(sb, ["install", "--agent", "codex", "--user"], { env: { HOME: home } })).exitCode).toBe(0);
    Object.assign(sb.env, { CODEX, CHOME: home, PROJ: sb.dir });
    // Codex waits 1 s, then leaves the command running in a background terminal.
    const watcher = `SUPERVISE_HOME=${sb.home} SUPERVISE_CONFIG=${sb.configPath} ${BUN} ${CLI} run --session-bound -n "Idle watcher" -- sh -c 'echo "$SUPERVISE_ID" > ${sb.dir}/marker; exec sleep 1000'`;
    const api = mock({ commands: [watcher, "sleep 3", "echo next"] });
    const r = await inNamespace(
      sb,
      CODEX_EXEC +
        String.raw`
codex_exec "$API" "watch" > "$D/codex.jsonl" 2> "$D/codex.err"
echo "EXIT $?"
echo "THREAD $(thread_of "$D/codex.jsonl")"
echo "ID $(cat "$D/marker")"
`.replace(/\$API/g, api.url),
      90_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    const id = r.values.get("ID")!;
    // Its session is the thread Codex names in the command's environment, the one its hooks are given.
    expect((await runCli(sb, ["show", id, "--json"])).stdout).toContain(`"session": "${r.values.get("THREAD")}"`);
    // Not before the second call's result (the stall is a second old by then at the earliest); then once.
    expect(toldOnce(api.requests, `supervise: background "Idle watcher" (${id}) has stalled: no CPU, no output and no listening socket for `, 2)).toBe("told once");
  });
});
