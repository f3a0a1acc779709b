// The blind-kill guard with real processes and sockets, inside a PID namespace (issue 24): the
// pre-tool-use hook asks about (or denies) a Bash call that signals by name or port, naming
// what it would hit that is not the session's own, and passes one that hits only the session's
// own or a dead session's leftovers. The hook signals nothing: every process is alive after.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

const SCRIPT = String.raw`
printf 'import socket, sys, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(1000)\n' > "$D/server.py"
serve() { local name=$1; shift; orphan env "$@" python3 "$D/server.py" "$D/$name.port" > /dev/null; wait_until "[ -s '$D/$name.port' ]"; cat "$D/$name.port"; }
named() { orphan env "$@" bash -c 'exec -a "$0" sleep 1000' "$NAME"; }
# A Bash call of session my-session through the real hook: its answer on one line.
call() { local agent=$1 cmd=$2; "$BUN" -e 'const [agent, command] = process.argv.slice(-2); console.log(JSON.stringify(agent === "gemini"
  ? { session_id: "my-session", hook_event_name: "BeforeTool", tool_name: "run_shell_command", tool_input: { command }, cwd: process.env.D }
  : { session_id: "my-session", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command, description: "free the port" }, cwd: process.env.D }))' "$agent" "$cmd" \
  | sv hook --agent "$agent" pre-tool-use; }
sleep 1000 & LIVE_AGENT=$!
sleep 1000 & MY_AGENT=$!
sleep 1000 & DEAD_AGENT=$!
MINE="CLAUDE_CODE_SESSION_ID=my-session CLAUDE_PID=$MY_AGENT"
NAME=vite-mine V_MINE=$(named $MINE)
NAME=vite-other V_OTHER=$(named CLAUDE_CODE_SESSION_ID=live-session-2 CLAUDE_PID=$LIVE_AGENT)
NAME=vite-nobody V_NOBODY=$(named HOME=$HOME)
P_MINE=$(serve mine $MINE)
P_DEAD=$(serve dead CLAUDE_CODE_SESSION_ID=dead-session-3 CLAUDE_PID=$DEAD_AGENT)
P_OTHER=$(serve other CLAUDE_CODE_SESSION_ID=live-session-2 CLAUDE_PID=$LIVE_AGENT)
orphan sv run -n by-hand -- python3 "$D/server.py" "$D/entry.port" > /dev/null; wait_until "[ -s '$D/entry.port' ]"; P_ENTRY=$(cat "$D/entry.port")
kill $DEAD_AGENT; wait $DEAD_AGENT 2>/dev/null
echo "V_OTHER $V_OTHER"; echo "V_NOBODY $V_NOBODY"; echo "P_OTHER $P_OTHER"
echo "OWN_ONLY $(call claude-code 'pkill -f vite-mine')"
echo "WIDE $(call claude-code 'pkill -f vite')"
echo "OWN_PORT $(call claude-code "kill -9 \$(lsof -ti:$P_MINE)")"
echo "DEAD_PORT $(call claude-code "npx kill-port $P_DEAD")"
echo "OTHER_PORT $(call claude-code "fuser -k $P_OTHER/tcp")"
echo "AGENT_ITSELF $(call claude-code 'pkill -f scenario.sh')"
echo "BACKGROUND $("$BUN" -e 'console.log(JSON.stringify({ session_id: "my-session", tool_name: "Bash", tool_input: { command: "pkill -f vite; npm run dev", run_in_background: true }, cwd: process.env.D }))' | sv hook pre-tool-use)"
echo "GEMINI $(call gemini 'pkill -f vite-')"
echo "LOOKALIKE $(call claude-code 'grep -rn pkill src')"
echo "ENTRY_PORT $(call claude-code "npx kill-port $P_ENTRY")"
echo "TESTED $(call claude-code "PID=\$(lsof -ti:$P_OTHER); [ -n \"\$PID\" ] && kill -9 \$PID")"
# A project's file is read only beside the user's, never beside an explicit $SUPERVISE_CONFIG.
mkdir -p "$D/xdg/supervise"; echo '{"hooks":{"reapInterval":"none"}}' > "$D/xdg/supervise/config.json"
echo '{"hooks":{"blindKill":"off"}}' > "$D/.supervise.json"
echo "PROJECT_OFF $(SUPERVISE_CONFIG= XDG_CONFIG_HOME="$D/xdg" call claude-code 'pkill -f vite-nobody' 2> "$D/off.err")"
echo "OFF_ERR $(cat "$D/off.err")"
echo '{"hooks":' > "$D/.supervise.json"
echo '{"hooks":{"reapInterval":"none","blindKill":"deny"}}' > "$D/xdg/supervise/config.json"
echo "PROJECT_BROKEN $(SUPERVISE_CONFIG= XDG_CONFIG_HOME="$D/xdg" call claude-code 'pkill -f vite-nobody' 2> "$D/broken.err")"
echo "BROKEN_ERR $(cat "$D/broken.err")"
rm "$D/.supervise.json"
echo '{"hooks":{"blindKill":"deny","reapInterval":"none"}}' > "$SUPERVISE_CONFIG"
echo "DENY $(call claude-code 'pkill -f vite-nobody')"
echo "GEMINI_DENY $(call gemini 'pkill -f vite-nobody')"
echo '{"hooks":{"blindKill":"off","reapInterval":"none"}}' > "$SUPERVISE_CONFIG"
echo "OFF $(call claude-code 'pkill -f vite-nobody')"
echo "ALIVE $(for p in $V_MINE $V_OTHER $V_NOBODY; do alive $p; done | tr '\n' ' ')$(for n in mine dead other; do [ -n "$(sv ps --port $(cat "$D/$n.port") --json | tr -d '[]\n ')" ] && echo yes || echo no; done | tr '\n' ' ')"
`;

describe("the blind-kill guard, inside a PID namespace", () => {
  nsTest("asks about what would hit others, passes what hits only the session's own, and signals nothing", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const r = await inNamespace(sb, SCRIPT, 60_000);
    expect(r.stderr).toBe("");
    const v = (key: string) => r.values.get(key) ?? "";
    const hook = (key: string) => JSON.parse(v(key));
    const ask = (key: string) => hook(key).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };

    expect(hook("OWN_ONLY")).toEqual({});
    expect(hook("OWN_PORT")).toEqual({});
    expect(hook("DEAD_PORT")).toEqual({});
    expect(hook("LOOKALIKE")).toEqual({});

    const wide = ask("WIDE");
    expect(wide.permissionDecision).toBe("ask");
    expect(wide.permissionDecisionReason).toStartWith("supervise: `pkill -f vite` signals by name or port: it would also end ");
    expect(wide.permissionDecisionReason).toContain(`pid ${v("V_OTHER")} "vite-other 1000" of live Claude Code session live-ses… (pid `);
    expect(wide.permissionDecisionReason).toContain(`pid ${v("V_NOBODY")} "vite-nobody 1000", not started by any agent session or supervise entry`);
    expect(wide.permissionDecisionReason).not.toContain("vite-mine");

    const other = ask("OTHER_PORT");
    expect(other.permissionDecision).toBe("ask");
    expect(other.permissionDecisionReason).toContain("of live Claude Code session live-ses…");
    expect(other.permissionDecisionReason).toEndWith(`supervise kill --port ${v("P_OTHER")} --session my-session ends only this session's server (supervise ps --port ${v("P_OTHER")} names each holder)`);

    expect(ask("AGENT_ITSELF").permissionDecisionReason).toMatch(/pid \d+ "bash [^"]*scenario\.sh", which runs this agent/);
    // A background call that kills blindly is asked about as written, not wrapped.
    expect(ask("BACKGROUND")).toMatchObject({ permissionDecision: "ask" });
    expect(JSON.stringify(hook("BACKGROUND"))).not.toContain("updatedInput");

    const gemini = hook("GEMINI") as { decision: string; reason: string; systemMessage: string };
    // No Gemini CLI above this hook to ask its user: the ask is sent as a deny.
    expect([gemini.decision, gemini.systemMessage]).toEqual(["deny", gemini.reason]);
    expect(gemini.reason).toStartWith("supervise: `pkill -f vite-` signals by name or port: it would also end ");
    expect(gemini.reason).toContain(`pid ${v("V_OTHER")} "vite-other 1000"`);

    // A project's file may not switch the guard off.
    expect(ask("PROJECT_OFF")).toMatchObject({ permissionDecision: "ask" });
    expect(v("OFF_ERR")).toMatch(/^supervise: ignoring hooks\.blindKill in .*\.supervise\.json: a project's config may only narrow what supervise ends$/);
    // Nor may a broken one, nor take the user's own settings away (here deny): the user's file alone judges, and stderr says so.
    expect(ask("PROJECT_BROKEN")).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringContaining(`pid ${v("V_NOBODY")} "vite-nobody 1000"`) });
    expect(v("BROKEN_ERR")).toMatch(/^supervise: .*\.supervise\.json.*; judging the kill command with the user's config alone$/);
    // A supervise entry no session started: kill --port would end it, and the reason says so.
    expect(ask("ENTRY_PORT").permissionDecisionReason).toMatch(/of entry [0-9a-z]{10}, which no agent session started; supervise kill --port \d+ --session my-session ends this session's server, and the supervise entry no agent session started too/);
    // A test (`[ … ]`) before the kill is read past, not a reason to let the call through.
    expect(ask("TESTED")).toMatchObject({ permissionDecision: "ask", permissionDecisionReason: expect.stringContaining("of live Claude Code session live-ses…") });
    expect(ask("DENY")).toMatchObject({ permissionDecision: "deny", permissionDecisionReason: expect.stringContaining(`pid ${v("V_NOBODY")} "vite-nobody 1000"`) });
    expect(hook("GEMINI_DENY")).toMatchObject({ decision: "deny" });
    expect(hook("OFF")).toEqual({});

    expect(v("ALIVE")).toBe("yes yes yes yes yes yes ");
  }, 90_000);
});
