// Every owner a session has had, end to end inside a PID namespace: fake agents (timeout
// processes) run the real SessionStart and SessionEnd hooks as their children, as Codex and
// Claude Code do, and real sweeps judge the detached leftovers they leave.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const CONFIG = { reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1s" }, grace: "1s", timeoutMs: 5000 } };

/**
 * Bash: `agent NAME AGENT SESSION [VAR]` starts a fake agent (a `timeout` process, so the hook
 * finds it as its nearest non-shell ancestor) that runs `hook --agent AGENT session-start` for
 * SESSION as its child, with VAR (e.g. CLAUDE_PID) set to its own pid when given, writes
 * $D/NAME.ready, and once $D/NAME.end exists runs `session-end` and exits, as an agent does.
 * $D/NAME.pid holds its pid.
 * `rows SESSION` prints the session's recorded owner pids, newest first.
 */
const AGENT_HELPERS = String.raw`
unset CODEX_THREAD_ID
for n in node vite; do ln -sf "$(command -v sleep)" "$D/s/$n"; done
ln -sf /bin/bash "$D/b/node"
agent() {
  local name=$1 kind=$2 session=$3 var=${"$"}{4:-NONE}
  printf '{"session_id":"%s","cwd":"%s","hook_event_name":"SessionStart","source":"startup"}' "$session" "$D" > "$D/$name.start.json"
  printf '{"session_id":"%s","cwd":"%s","hook_event_name":"SessionEnd","reason":"other"}' "$session" "$D" > "$D/$name.end.json"
  timeout 1000 bash -c '
    n=$0 kind=$1 var=$2
    [ "$var" != NONE ] && export "$var=$PPID"
    "$BUN" "$CLI" hook --agent "$kind" session-start < "$D/$n.start.json" > "$D/$n.start.out" 2>&1
    echo done > "$D/$n.ready"
    until [ -e "$D/$n.end" ]; do sleep 0.02; done
    "$BUN" "$CLI" hook --agent "$kind" session-end < "$D/$n.end.json" > "$D/$n.end.out" 2>&1' "$name" "$kind" "$var" &
  echo $! > "$D/$name.pid"
  wait_until '[ -s "$D/$name.ready" ]'
}
rows() { "$BUN" -e 'const { Database } = require("bun:sqlite"); const db = new Database(process.argv[1], { readonly: true }); console.log(db.query("SELECT owner_pid FROM sessions WHERE session = ? ORDER BY started_at DESC, rowid DESC").all(process.argv[2]).map((r) => r.owner_pid).join(","))' "$SUPERVISE_HOME/ledger.db" "$1"; }
quietly_kill() { { kill -KILL "$@"; wait "$@"; } 2> /dev/null; true; }
reap_targets() { sv reap --json | "$BUN" -e 'const r = JSON.parse(await Bun.stdin.text()); console.log(r.targets.map((t) => t.pid + ":" + t.reason).join(",") || "none")'; }
`;

describe("every owner a session has had", () => {
  nsTest(
    "Codex: a second codex records the same thread and exits; the first's detached dev server survives the sweep, and ends once the first exits too",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        AGENT_HELPERS +
          String.raw`
agent first codex t-1; FIRST=$(cat "$D/first.pid")
VITE=$(orphan env CODEX_THREAD_ID=t-1 "$D/s/vite" 1000)
# A resume of the open thread (or any same-user process running the hook): a second owner.
agent second codex t-1; SECOND=$(cat "$D/second.pid")
echo "OWNERS $(rows t-1)"
wait_age $VITE 1100
quietly_kill $SECOND
echo "AFTER_SECOND $(reap_targets) $(alive $VITE)"
quietly_kill $FIRST
echo "AFTER_FIRST $(reap_targets) $(alive $VITE)"
# A third records the thread: the two proven gone are dropped.
agent third codex t-1; THIRD=$(cat "$D/third.pid")
echo "BOUNDED $(rows t-1)"
echo "PIDS $FIRST $SECOND $THIRD $VITE"
quietly_kill $THIRD
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const [first, second, third, vite] = r.values.get("PIDS")!.split(" ");
      // Fails on the old code: the second record replaced the first, so its exit read as the thread's end.
      expect(r.values.get("AFTER_SECOND")).toBe("none yes");
      expect(r.values.get("OWNERS")).toBe(`${second},${first}`);
      expect(r.values.get("AFTER_FIRST")).toBe(`${vite}:session-gone no`);
      expect(r.values.get("BOUNDED")).toBe(third);
    },
    60_000,
  );

  nsTest(
    "Codex: SessionEnd of the second codex of a thread leaves the first's dev server; the first's own SessionEnd ends it",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        AGENT_HELPERS +
          String.raw`
agent first codex t-2; FIRST=$(cat "$D/first.pid")
VITE=$(orphan env CODEX_THREAD_ID=t-2 "$D/s/vite" 1000)
agent second codex t-2; SECOND=$(cat "$D/second.pid")
touch "$D/second.end"; wait $SECOND
echo "SECOND_END $(alive $VITE)"
touch "$D/first.end"; wait $FIRST
wait_until '[ "$(alive $VITE)" = no ]'
echo "FIRST_END $(alive $VITE)"
echo "LOG $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tr '\n' ' ')"
echo "PIDS $FIRST $SECOND $VITE"
quietly_kill $FIRST $SECOND
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const [first, second, vite] = r.values.get("PIDS")!.split(" ").map(Number);
      // Fails without the first owner kept: the thread's only recorded owner was the ending one.
      expect(r.values.get("SECOND_END")).toBe("yes");
      expect(r.values.get("FIRST_END")).toBe("no");
      const ends = r.values.get("LOG")!.trim().split(/ (?=\{)/).map((line) => JSON.parse(line));
      expect(ends.map((e: any) => [e.agent, e.leftovers])).toEqual([
        [second, []],
        [first, [vite]],
      ]);
    },
    60_000,
  );

  nsTest(
    "a process started before its agent, re-executed with that agent's CLAUDE_CODE_SESSION_ID and CLAUDE_PID: not ended while the agent its SessionStart recorded lives; ended once it is gone",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        AGENT_HELPERS +
          String.raw`
# It starts first, waits for its agent, then re-executes carrying that agent's cookie.
EARLY=$(orphan "$D/b/node" -c 'until [ -s "$0/claude.ready" ] && [ -s "$0/claude.pid" ]; do sleep 0.02; done; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-early CLAUDE_PID=$(cat "$0/claude.pid") "$0/s/node" 1000' "$D")
# Start times count 10 ms ticks: the agent must start a tick later to be provably younger.
wait_age $EARLY 50
agent claude claude-code s-early CLAUDE_PID; AGENT=$(cat "$D/claude.pid")
wait_until 'tr "\0" "\n" < /proc/$EARLY/environ | grep -qx CLAUDE_PID=$AGENT'
echo "YOUNGER $(( $(stat_field $AGENT 20) > $(stat_field $EARLY 20) ))"
echo "OWNERS $(rows s-early)"
wait_age $EARLY 1100
echo "AGENT_ALIVE $(reap_targets) $(alive $EARLY)"
quietly_kill $AGENT
echo "AGENT_GONE $(reap_targets) $(alive $EARLY)"
echo "PIDS $AGENT $EARLY"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const [agent, early] = r.values.get("PIDS")!.split(" ");
      expect(r.values.get("YOUNGER")).toBe("1");
      expect(r.values.get("OWNERS")).toBe(agent);
      // Fails on the old code: an owner younger than the process naming it read as a reused pid.
      expect(r.values.get("AGENT_ALIVE")).toBe("none yes");
      expect(r.values.get("AGENT_GONE")).toBe(`${early}:session-gone no`);
    },
    60_000,
  );
});
