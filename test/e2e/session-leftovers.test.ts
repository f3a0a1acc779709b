// Ownership by agent session, end to end inside a PID namespace: real processes carrying a
// session's cookie (copies of sleep and bash named node, vite, npm, tmux...), a real sweep.

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

/** Bash: names for copies of sleep ($D/s/NAME) and bash ($D/b/NAME), and `with_cookie SESSION OWNER CMD...`. */
const LEFTOVER_HELPERS = String.raw`
for n in node vite esbuild gpg-agent; do ln -sf "$(command -v sleep)" "$D/s/$n"; done
for n in npm node tmux python3; do ln -sf /bin/bash "$D/b/$n"; done
with_cookie() { local s=$1 o=$2; shift 2; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$s" CLAUDE_PID="$o" "$@"; }
children_of() { for f in /proc/[0-9]*/stat; do [ "$(sed 's/.*) //' "$f" 2>/dev/null | cut -d' ' -f2)" = "$1" ] && basename "$(dirname "$f")"; done; }
`;

describe("session leftovers inside a PID namespace", () => {
  nsTest(
    "a dead session's node, vite and 3-level tree end as session-gone; a live session's, kept, protected, sessionKeep and junk-owner processes survive; a reused owner pid counts as gone",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        LEFTOVER_HELPERS +
          String.raw`
sleep 1000 & AGENT=$!
sleep 1000 & LIVE_AGENT=$!
sleep 1000 & AGENT2=$!
NODE=$(orphan with_cookie dead $AGENT "$D/s/node" 1000)
VITE=$(orphan with_cookie dead $AGENT "$D/s/vite" 1000)
NPM=$(orphan with_cookie dead $AGENT "$D/b/npm" -c '"$D/b/node" -c "\"$D/s/esbuild\" 1000 & wait" & wait')
wait_until '[ -n "$(children_of $NPM)" ] && [ -n "$(children_of $(children_of $NPM))" ]'
TREE_NODE=$(children_of $NPM); TREE_ESBUILD=$(children_of $TREE_NODE)
LIVE=$(orphan with_cookie live $LIVE_AGENT "$D/s/node" 1000)
KEEP=$(orphan env SUPERVISE_KEEP=1 CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=dead CLAUDE_PID=$AGENT "$D/s/node" 1000)
PROTECTED=$(orphan with_cookie dead $AGENT "$D/b/python3" -c "sleep 1000 & wait" pytest)
KEEPNAME=$(orphan with_cookie dead $AGENT "$D/s/gpg-agent" 1000)
TMUX=$(orphan with_cookie dead $AGENT "$D/b/tmux" -c 'bash -c "sleep 1000 & wait" & wait')
wait_until '[ -n "$(children_of $TMUX)" ]'
TMUX_SHELL=$(children_of $TMUX)
OWNER_ONE=$(orphan with_cookie dead 1 "$D/s/node" 1000)
OWNER_JUNK=$(orphan with_cookie dead abc "$D/s/node" 1000)
REUSED=$(orphan with_cookie dead $AGENT2 "$D/s/node" 1000)
# Start times count 10 ms ticks: the impostor must start a tick later to be provably younger.
wait_age $REUSED 50
exec 3>&2 2>/dev/null
kill -9 $AGENT $AGENT2; wait $AGENT $AGENT2
exec 2>&3
# The next process gets AGENT2's pid: younger than the leftover that names it.
echo $((AGENT2 - 1)) > /proc/sys/kernel/ns_last_pid
sleep 1000 & IMPOSTOR=$!
for p in $NODE $VITE $NPM $TREE_NODE $TREE_ESBUILD $LIVE $KEEP $PROTECTED $KEEPNAME $TMUX $TMUX_SHELL $OWNER_ONE $OWNER_JUNK $REUSED; do wait_age $p 1100; done
echo "PIDS {\"node\":$NODE,\"vite\":$VITE,\"npm\":$NPM,\"treeNode\":$TREE_NODE,\"treeEsbuild\":$TREE_ESBUILD,\"reused\":$REUSED,\"impostor\":$IMPOSTOR,\"agent2\":$AGENT2}"
echo "DRY $(sv reap --dry-run --json | tr -d '\n')"
echo "REPORT $(sv reap --json | tr -d '\n')"
for v in NODE VITE NPM TREE_NODE TREE_ESBUILD REUSED LIVE KEEP PROTECTED KEEPNAME TMUX TMUX_SHELL OWNER_ONE OWNER_JUNK IMPOSTOR LIVE_AGENT; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const pids = JSON.parse(v.get("PIDS")!);
      expect(pids.impostor).toBe(pids.agent2);
      const gone = [pids.node, pids.vite, pids.npm, pids.treeNode, pids.treeEsbuild, pids.reused].sort();
      expect(JSON.parse(v.get("DRY")!).targets.map((t: any) => t.pid).sort()).toEqual(gone);
      const report = JSON.parse(v.get("REPORT")!);
      expect(report.targets.map((t: any) => t.pid).sort()).toEqual(gone);
      for (const t of report.targets) expect(t).toMatchObject({ reason: "session-gone", ledgerId: null, action: "terminated", signal: "TERM" });
      for (const name of ["NODE", "VITE", "NPM", "TREE_NODE", "TREE_ESBUILD", "REUSED"]) expect(v.get(`ALIVE_${name}`)).toBe("no");
      for (const name of ["LIVE", "KEEP", "PROTECTED", "KEEPNAME", "TMUX", "TMUX_SHELL", "OWNER_ONE", "OWNER_JUNK", "IMPOSTOR", "LIVE_AGENT"]) {
        expect(`${name} ${v.get(`ALIVE_${name}`)}`).toBe(`${name} yes`);
      }
    },
    90_000,
  );

  nsTest(
    "SessionEnd ends a detached leftover and a TERM-ignoring tree; it keeps the agent's own child and another session's process",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        LEFTOVER_HELPERS +
          String.raw`
# The agent: a live process whose own child (a tool shell) carries the session's cookie, and
# which runs its SessionEnd hook as Claude Code does: a child, with CLAUDE_PID naming the agent.
mkfifo "$D/go"
bash -c 'with_cookie() { local s=$1 o=$2; shift 2; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$s" CLAUDE_PID="$o" "$@"; }; with_cookie s-end $$ sleep 1000 & echo $! > "$D/tool.pid"; read -r _ < "$D/go"; CLAUDE_PID=$$ "$BUN" "$CLI" hook session-end < "$D/end.json" > "$D/hook.out"; echo $? >> "$D/hook.out"; wait' & AGENT=$!
wait_until '[ -s "$D/tool.pid" ]'
TOOL_CHILD=$(cat "$D/tool.pid")
DETACHED=$(orphan with_cookie s-end $AGENT "$D/s/node" 1000)
STUBBORN=$(orphan with_cookie s-end $AGENT "$D/b/node" -c 'trap "" TERM; sleep 1000 & wait')
wait_until '[ -n "$(children_of $STUBBORN)" ]'
STUBBORN_CHILD=$(children_of $STUBBORN)
OTHER=$(orphan with_cookie s-other $AGENT "$D/s/node" 1000)
KEPT=$(orphan env SUPERVISE_KEEP=1 CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-end CLAUDE_PID=$AGENT "$D/s/node" 1000)
printf '{"session_id":"s-end","reason":"other","cwd":"%s","hook_event_name":"SessionEnd"}' "$D" > "$D/end.json"
echo go > "$D/go"
wait_until '[ "$(wc -l 2> /dev/null < "$D/hook.out" || echo 0)" -ge 2 ]'
echo "HOOK $(paste -sd' ' "$D/hook.out")"
wait_until '[ "$(alive $DETACHED)" = no ] && [ "$(alive $STUBBORN)" = no ] && [ "$(alive $STUBBORN_CHILD)" = no ]'
wait_until 'grep -c "session leftover ended" "$SUPERVISE_HOME/supervise.log" | grep -qx 2'
for v in TOOL_CHILD OTHER KEPT AGENT; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
echo "HOOKLOG $(grep '"session end"' "$SUPERVISE_HOME/supervise.log")"
echo "LOG $(grep '"session leftover ended"' "$SUPERVISE_HOME/supervise.log" | tr '\n' ' ')"
echo "PIDS {\"detached\":$DETACHED,\"stubborn\":$STUBBORN,\"stubbornChild\":$STUBBORN_CHILD}"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      expect(v.get("HOOK")).toBe("{} 0");
      for (const name of ["TOOL_CHILD", "OTHER", "KEPT", "AGENT"]) expect(`${name} ${v.get(`ALIVE_${name}`)}`).toBe(`${name} yes`);
      const pids = JSON.parse(v.get("PIDS")!);
      // The hook signalled the three leftovers; the follow-up found the TERM-ignoring two and killed them.
      expect(JSON.parse(v.get("HOOKLOG")!)).toMatchObject({ msg: "session end", session: "s-end", stopping: [] });
      expect(JSON.parse(v.get("HOOKLOG")!).leftovers.sort()).toEqual([pids.detached, pids.stubborn, pids.stubbornChild].sort());
      const ended = v.get("LOG")!.trim().split(/ (?=\{)/).map((line) => JSON.parse(line));
      expect(ended.map((l: any) => [l.pid, l.reason, l.action]).sort()).toEqual([
        [pids.stubborn, "session-end", "killed"],
        [pids.stubbornChild, "session-end", "killed"],
      ].sort());
    },
    60_000,
  );
  nsTest(
    "commands that carry no owner pid (Claude Code before 2.1.214): the agent their SessionStart hook recorded decides; gone, its leftovers end as session-gone; alive, they stay",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        LEFTOVER_HELPERS +
          String.raw`
# An "agent" that is not a shell (timeout) runs its session's SessionStart hook, as an agent does.
agent() {
  printf '{"session_id":"%s","cwd":"%s","hook_event_name":"SessionStart","source":"startup"}' "$1" "$D" > "$D/start-$1.json"
  env -u CLAUDE_PID timeout 1000 bash -c '"$BUN" "$CLI" hook session-start < "$0" > "$0.out" 2>&1; echo done > "$0.ready"; exec sleep 1000' "$D/start-$1.json" &
}
agent s-old; OLD_AGENT=$!
agent s-live; LIVE_AGENT=$!
wait_until '[ -s "$D/start-s-old.json.ready" ] && [ -s "$D/start-s-live.json.ready" ]'
echo "HOOK_OUT $(cat "$D/start-s-old.json.out" | head -c 60)"
OLD=$(orphan env -u CLAUDE_PID CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-old "$D/s/node" 1000)
LIVE=$(orphan env -u CLAUDE_PID CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-live "$D/s/node" 1000)
wait_age $OLD 1100; wait_age $LIVE 1100
echo "BEFORE $(sv reap --dry-run --json | tr -d '\n')"
{ kill -KILL $OLD_AGENT; wait $OLD_AGENT; } 2> /dev/null
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "PIDS $OLD $LIVE $OLD_AGENT $LIVE_AGENT"
echo "ALIVE $(alive $OLD) $(alive $LIVE) $(alive $LIVE_AGENT)"
`,
      );
      expect(r.stderr).toBe("");
      const [old, , oldAgent] = r.values.get("PIDS")!.split(" ").map(Number);
      expect(r.values.get("HOOK_OUT")).toStartWith('{"hookSpecificOutput"');
      // Both agents alive: nothing of either session is a target.
      expect(JSON.parse(r.values.get("BEFORE")!).targets).toEqual([]);
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.targets.map((t: any) => [t.pid, t.reason, t.action])).toEqual([[old, "session-gone", "terminated"]]);
      expect(r.values.get("ALIVE")).toBe("no yes yes");
      expect(oldAgent).toBeGreaterThan(1);
    },
    60_000,
  );
});
