// End to end with the real Claude Code CLI (pinned dev dependency), driven offline by a mock
// of the Messages API. Every claude run happens inside a PID namespace: the installed
// SessionStart hook runs a real sweep, which must never see this machine's processes.

import { Database } from "bun:sqlite";
import { describe, expect, setDefaultTimeout } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startMockAnthropic } from "../helpers/mock-anthropic.ts";
import { agentSuite, tellWhenReceived, toldOnce } from "../helpers/agent-e2e.ts";
import { inNamespace } from "../helpers/namespace.ts";
import type { Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(120_000);
const suite = agentSuite("Claude Code CLI", "claude");
const CLAUDE = suite.bin;
const e2e = suite.e2e;

// Claude Code 2.1.332 refuses the `&` operator in -p mode, so the trees are pipelines.
/** A background command that records its ids, then runs a two-process pipeline under its shell. */
const BACKGROUND = (marker: string) => `echo "$CLAUDE_CODE_SESSION_ID $SUPERVISE_ID $$" > ${marker}; sleep 1000 | sleep 1001`;
/** A foreground command that leaves a detached "dev server" behind, as `setsid -f` and `nohup` do. */
const DEV_SERVER = (dir: string) => `setsid -f ${dir}/s/vite 1000 < /dev/null > /dev/null 2>&1; echo started`;

async function setUp(run: Record<string, string> = {}, hooks: Record<string, string> = {}): Promise<{ sb: Sandbox; project: string; env: Record<string, string> }> {
  const sb = suite.sandbox({ run, hooks, reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1h", sessionGone: "1s" }, grace: "1s" } });
  const home = join(sb.dir, "home");
  const project = join(sb.dir, "project");
  mkdirSync(home);
  mkdirSync(project);
  const env = { HOME: home, CLAUDE_CONFIG_DIR: "", ANTHROPIC_API_KEY: "test-key", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", CLAUDE: CLAUDE, PROJ: project };
  const installed = await runCli(sb, ["install", "--project"], { env, cwd: project });
  expect(installed.exitCode).toBe(0);
  // The namespace scenario gets the sandbox's environment; HOME is set for claude alone.
  Object.assign(sb.env, { CLAUDE, PROJ: project, ANTHROPIC_API_KEY: "test-key", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
  return { sb, project, env };
}

const mock = (options: Parameters<typeof startMockAnthropic>[0]) => suite.mock(startMockAnthropic(options));


describe("Claude Code (real CLI) with supervise installed in the project", () => {
  e2e("session 1: SessionStart reaps a planted orphan; the background command runs under supervise with the session id; SIGTERM to the CLI fires SessionEnd and ends the command's whole tree", async () => {
    const { sb, env } = await setUp();
    const api = mock({ calls: [{ command: BACKGROUND(`${sb.dir}/marker`), description: "Server", run_in_background: true }], holdFinalAnswer: true });
    const r = await inNamespace(
      sb,
      String.raw`
TAGGED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG TODO)
wait_age $TAGGED 1100
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "start the server" --allowedTools Bash > /dev/null 2>&1 &
AGENT=$!
wait_until '[ -s "$D/marker" ] && [ -n "$(pgrep -P "$(cut -d" " -f3 "$D/marker")" | tr -d "\n")" ]'
read -r SESSION ID SHELL_PID < "$D/marker"
PIPELINE=$(pgrep -P $SHELL_PID | tr '\n' ' ')
echo "ORPHAN_ALIVE $(alive $TAGGED)"
echo "RUNNING_BEFORE $(alive $SHELL_PID) $(for p in $PIPELINE; do alive $p; done | tr '\n' ' ')"
echo "CLAUDE_PID_OF_COMMAND $(tr '\0' '\n' < /proc/$SHELL_PID/environ | grep -c "^CLAUDE_PID=$AGENT$")"
kill -TERM $AGENT
wait $AGENT
wait_until '[ "$(alive $SHELL_PID)" = no ] && for p in $PIPELINE; do [ "$(alive $p)" = no ] || exit 1; done'
echo "TREE_GONE yes"
wait_until 'grep -qs "\"msg\":\"session end\"" "$SUPERVISE_HOME/supervise.log"'
echo "SESSION $SESSION"
echo "ENTRY $(sv show $ID --json | tr -d '\n')"
echo "STATS $(sv stats --json | tr -d '\n')"
echo "LOG $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tail -1)"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
      90_000,
    );
    expect(r.stderr).toBe("");
    const session = r.values.get("SESSION")!;

    // The SessionStart hook swept before the session's first tool call.
    expect(r.values.get("ORPHAN_ALIVE")).toBe("no");
    const stats = JSON.parse(r.values.get("STATS")!);
    expect(stats.perRun.find((run: any) => run.trigger === "session-start")).toMatchObject({ session, cleaned: 1, dryRun: false });
    expect(stats.reasons).toEqual({ "rg-tag": 1 });
    // The agent was told the rule at the start of the session.
    expect(JSON.stringify(api.requests[0])).toContain("SUPERVISE_KEEP=1");

    // The background command ran under supervise, tagged with the session, its CLI as owner.
    expect(r.values.get("RUNNING_BEFORE")).toBe("yes yes yes ");
    expect(r.values.get("CLAUDE_PID_OF_COMMAND")).toBe("1");
    const entry = JSON.parse(r.values.get("ENTRY")!);
    expect(entry).toMatchObject({ session, name: "Server", command: ["bash", "-c", BACKGROUND(`${sb.dir}/marker`)], processes: [] });
    const toolUse = api.requests.flatMap((q) => q.messages).flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).find((b: any) => b.type === "tool_use");
    expect(toolUse?.input?.command).toBe(BACKGROUND(`${sb.dir}/marker`));

    // SIGTERM: the whole tree is gone, SessionEnd fired, and the ledger says why.
    expect(r.values.get("TREE_GONE")).toBe("yes");
    expect(JSON.parse(r.values.get("LOG")!)).toMatchObject({ msg: "session end", session, reason: "other" });
    // The CLI kills its Bash trees before it runs SessionEnd hooks: whichever reached the
    // command first is recorded, SessionEnd's own stop included.
    expect(entry.state).toBe("killed");
    expect(["session-end", "signal", "parent-died"]).toContain(entry.reason);
  });

  e2e("session 2's CLI is SIGKILLed while its commands run; session 3's SessionStart ends what it left (the supervised command as owner-dead, a setsid dev server and the orphaned tool shells as session-gone) and says so", async () => {
    const { sb, env } = await setUp();
    const second = mock({
      calls: [
        { command: DEV_SERVER(sb.dir), description: "Start the dev server", run_in_background: false },
        { command: BACKGROUND(`${sb.dir}/marker`), description: "Watcher", run_in_background: true },
      ],
      holdFinalAnswer: true,
    });
    const third = mock({ calls: [] });
    const r = await inNamespace(
      sb,
      String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API2" "$CLAUDE" -p "start the dev server and the watcher" --allowedTools Bash > /dev/null 2>&1 &
AGENT=$!
wait_until '[ -s "$D/marker" ] && [ -n "$(pgrep -P "$(cut -d" " -f3 "$D/marker")" | tr -d "\n")" ] && pgrep -x vite > /dev/null'
read -r SESSION ID SHELL_PID < "$D/marker"
echo "AGENT_START $AGENT $(sed 's/.*) //' /proc/$AGENT/stat | cut -d' ' -f20)"
VITE=$(pgrep -x vite)
LEFT="$VITE $SHELL_PID $(pgrep -P $SHELL_PID | tr '\n' ' ')"
# (bash reports a SIGKILLed job on stderr)
{ kill -KILL $AGENT; wait $AGENT; } 2> /dev/null
echo "SESSION2 $SESSION"
echo "ALIVE_AFTER_CRASH $(for p in $LEFT; do alive $p; done | tr '\n' ' ')"
wait_age $VITE 1100
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API3" "$CLAUDE" -p "hello" --allowedTools Bash --output-format json > "$D/claude3.json" 2> "$D/claude3.err"
echo "CLAUDE3_EXIT $?"
wait_until 'for p in $LEFT; do [ "$(alive $p)" = no ] || exit 1; done'
echo "LEFT_GONE yes"
echo "ENTRY $(sv show $ID --json | tr -d '\n')"
echo "REAP $(sv stats --json | tr -d '\n')"
`
        .replace(/\$HOME_DIR/g, env.HOME!)
        .replace(/\$API2/g, second.url)
        .replace(/\$API3/g, third.url),
      120_000,
    );
    expect(r.stderr).toBe("");
    const crashed = r.values.get("SESSION2")!;
    // Nothing ended them when the CLI died: the dev server, the tool shell and its pipeline.
    expect(r.values.get("ALIVE_AFTER_CRASH")).toBe("yes yes yes yes ");
    expect(r.values.get("CLAUDE3_EXIT")).toBe("0");
    const third_session: string = JSON.parse(readFileSync(join(sb.dir, "claude3.json"), "utf8")).session_id;
    expect(third_session).not.toBe(crashed);

    // Session 3's SessionStart ended all of it, and the ledger says why.
    expect(r.values.get("LEFT_GONE")).toBe("yes");
    const entry = JSON.parse(r.values.get("ENTRY")!);
    expect(entry).toMatchObject({ session: crashed, name: "Watcher", state: "killed", reason: "owner-dead", processes: [] });
    const stats = JSON.parse(r.values.get("REAP")!);
    const sweep = stats.perRun.find((run: any) => run.trigger === "session-start" && run.session === third_session);
    // The command's shell and its two sleeps; the dev server and the tool shell that ran the wrapper.
    expect(sweep).toMatchObject({ dryRun: false, cleaned: 5, counts: { terminated: 5, failed: 0 } });
    expect(stats.reasons).toEqual({ "owner-dead": 3, "session-gone": 2 });
    // Each SessionStart recorded its session with the agent process that ran it (CLAUDE_PID).
    const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
    const recorded = db.query("SELECT agent, owner_pid, owner_start_ticks FROM sessions WHERE session = ?").get(crashed);
    db.close();
    const [agentPid, agentTicks] = r.values.get("AGENT_START")!.split(" ").map(Number);
    expect(recorded).toEqual({ agent: "claude-code", owner_pid: agentPid, owner_start_ticks: agentTicks });
    // The new session was told what was ended, by command.
    const told = JSON.stringify(third.requests[0]);
    expect(told).toContain("vite 1000 (session-gone)");
    expect(told).toContain("SUPERVISE_KEEP=1");
  });

  e2e("the model is told, once, that its background command stalled: the line is in the request after its next Bash call, and in no later one again", async () => {
    const { sb, env } = await setUp({ stallAfter: "1s" });
    const api = mock({
      calls: [
        { command: `echo "$SUPERVISE_ID" > ${sb.dir}/marker; exec sleep 1000`, description: "Idle watcher", run_in_background: true },
        { command: "sleep 3", description: "Wait", run_in_background: false },
        { command: "echo next", description: "Next", run_in_background: false },
      ],
    });
    const stopAt = tellWhenReceived(api, 4, join(sb.dir, "fourth"));
    const r = await inNamespace(
      sb,
      String.raw`
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "watch" --allowedTools Bash > "$D/claude.out" 2>&1 &
AGENT=$!
wait_until '[ -e "$D/fourth" ] && [ -s "$D/marker" ]'
ID=$(cat "$D/marker")
# -p waits for its background task: ended here, the CLI tells the model and exits.
sv kill $ID > /dev/null
wait $AGENT
echo "EXIT $?"
echo "ID $ID"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
      90_000,
    );
    stopAt();
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    const id = r.values.get("ID")!;
    // Not before the third call's PreToolUse (the first a stall can precede); then once.
    expect(toldOnce(api.requests, `supervise: background "Idle watcher" (${id}) has stalled: no CPU, no output and no listening socket for `, 3)).toBe("told once");
    // Its end by \`supervise kill\`, told once too, after the CLI's own notification of it.
    expect(toldOnce(api.requests, `supervise: background "Idle watcher" (${id}) was ended by supervise after `, 4)).toBe("told once");
  });

  e2e("the user's deny rules still judge a wrapped command: a background rm the settings deny is denied with supervise installed", async () => {
    const { sb, project, env } = await setUp();
    const settingsPath = join(project, ".claude", "settings.json");
    writeFileSync(settingsPath, JSON.stringify({ ...JSON.parse(readFileSync(settingsPath, "utf8")), permissions: { deny: ["Bash(rm:*)"] } }));
    writeFileSync(join(sb.dir, "victim"), "keep me");
    const api = mock({ calls: [{ command: `rm -rf ${sb.dir}/victim | sleep 100`, description: "clean", run_in_background: true }] });
    const r = await inNamespace(
      sb,
      String.raw`
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "clean up" --allowedTools Bash > /dev/null 2>&1
echo "EXIT $?"
echo "VICTIM $([ -e "$D/victim" ] && echo kept || echo deleted)"
echo "LS $(sv ls --all --json | tr -d '\n')"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("VICTIM")).toBe("kept");
    const results = api.requests.flatMap((q) => q.messages).flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_result");
    expect(results[0]).toMatchObject({ is_error: true });
    expect(JSON.parse(r.values.get("LS")!)).toEqual([]);
  });

  e2e("a blind `pkill -f vite` is asked about (hooks.blindKill ask) or denied (deny) with the reason naming the vite it would end; nothing is signalled", async () => {
    const seen: Record<string, { alive: string; result: any }> = {};
    for (const mode of ["ask", "deny"]) {
      const { sb, env } = await setUp({}, { blindKill: mode });
      const api = mock({ calls: [{ command: "pkill -f vite", description: "Free the port", run_in_background: false }] });
      const r = await inNamespace(
        sb,
        String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
VITE=$(orphan "$D/s/vite" 1000)
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "free port 5173" --allowedTools Bash > /dev/null 2>&1
echo "EXIT $?"
echo "VITE $VITE $(alive $VITE)"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
        60_000,
      );
      expect(r.stderr).toBe("");
      expect(r.values.get("EXIT")).toBe("0");
      const results = api.requests.flatMap((q) => q.messages).flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_result");
      seen[mode] = { alive: r.values.get("VITE")!, result: results[0] };
    }
    // -p mode has nobody to ask: 2.1.332 refuses an ask with the reason as the tool's result; a deny as a hook error.
    for (const [mode, prefix] of [["ask", ""], ["deny", "PreToolUse:Bash hook error: "]] as const) {
      const [pid, alive] = seen[mode]!.alive.split(" ");
      expect([mode, alive]).toEqual([mode, "yes"]);
      expect(seen[mode]!.result).toMatchObject({ is_error: true });
      expect(String(seen[mode]!.result.content)).toMatch(new RegExp(`^${prefix}supervise: \`pkill -f vite\` signals by name or port: it would end pid ${pid} "[^"]*/s/vite 1000", not started by any agent session or supervise entry; `));
    }
  });
});
