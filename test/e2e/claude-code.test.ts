// End to end with the real Claude Code CLI (pinned dev dependency), driven offline by a mock
// of the Messages API. Every claude run happens inside a PID namespace: the installed
// SessionStart hook runs a real sweep, which must never see this machine's processes.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startMockAnthropic, type MockAnthropic } from "../helpers/mock-anthropic.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(120_000);
const CLAUDE = join(import.meta.dir, "..", "..", "node_modules", ".bin", "claude");
const skipReason = namespaceUnavailable ?? (existsSync(CLAUDE) ? null : `the Claude Code CLI is not installed (${CLAUDE}); run bun install`);
if (skipReason) console.warn(`SKIPPING Claude Code end-to-end tests: ${skipReason}`);
const e2e = skipReason ? test.skip : test;

let sb: Sandbox | undefined;
const mocks: MockAnthropic[] = [];
afterEach(async () => {
  for (const mock of mocks.splice(0)) {
    mock.release();
    mock.stop();
  }
  await sb?.cleanup();
  sb = undefined;
});

/** The background command the mock asks for: records its ids, then a shell with a child. */
const BACKGROUND = (dir: string) => `echo "$CLAUDE_CODE_SESSION_ID $SUPERVISE_ID $$" > ${dir}/marker; sleep 1000 & echo $! >> ${dir}/marker; wait`;

async function setUp(): Promise<{ sb: Sandbox; project: string; env: Record<string, string> }> {
  sb = makeSandbox({ reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1h" }, grace: "1s" } });
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

function mock(options: Parameters<typeof startMockAnthropic>[0]): MockAnthropic {
  const m = startMockAnthropic(options);
  mocks.push(m);
  return m;
}

describe("Claude Code (real CLI) with supervise installed in the project", () => {
  e2e("SessionStart reaps a planted orphan; the background Bash command runs under supervise with the session id; when the CLI stops it, its whole tree is gone and the ledger says why", async () => {
    const { sb, env } = await setUp();
    const api = mock({ bash: { command: BACKGROUND(sb.dir), description: "Long task", run_in_background: true } });
    const r = await inNamespace(
      sb,
      String.raw`
TAGGED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG TODO)
wait_age $TAGGED 1100
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "start the long task" --allowedTools Bash --output-format json > "$D/claude.json" 2> "$D/claude.err"
echo "CLAUDE_EXIT $?"
echo "ORPHAN_ALIVE $(alive $TAGGED)"
read -r _ _ SHELL_PID < "$D/marker"; SLEEP_PID=$(sed -n 2p "$D/marker")
wait_until '[ "$(alive $SHELL_PID)" = no ] && [ "$(alive $SLEEP_PID)" = no ]'
echo "TREE_GONE yes"
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
echo "STATS $(sv stats --json | tr -d '\n')"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
      90_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("CLAUDE_EXIT")).toBe("0");
    const result = JSON.parse(readFileSync(join(sb.dir, "claude.json"), "utf8"));
    expect(result).toMatchObject({ type: "result", is_error: false, result: "Started it." });
    const session: string = result.session_id;

    // (1) The SessionStart hook swept before the session's first tool call.
    expect(r.values.get("ORPHAN_ALIVE")).toBe("no");
    const stats = JSON.parse(r.values.get("STATS")!);
    const sweep = stats.perRun.find((run: any) => run.trigger === "session-start");
    expect(sweep).toMatchObject({ session, cleaned: 1, dryRun: false });
    expect(stats.reasons).toEqual({ "rg-tag": 1 });

    // (2) The mock's background command ran under supervise, tagged with the session.
    const [markerSession, markerId] = readFileSync(join(sb.dir, "marker"), "utf8").split("\n")[0]!.split(" ");
    expect(markerSession).toBe(session);
    const entries = JSON.parse(r.values.get("LEDGER")!);
    const entry = entries.find((e: any) => e.id === markerId);
    expect(entry).toMatchObject({ session, name: "Long task", command: ["bash", "-c", BACKGROUND(sb.dir)] });
    const toolInput = api.requests[1].messages.at(-2).content.find((b: any) => b.type === "tool_use")?.input;
    expect(toolInput?.command).toBe(BACKGROUND(sb.dir));

    // (3) The CLI stopped it after the result: the whole tree is gone, the ledger says how.
    expect(r.values.get("TREE_GONE")).toBe("yes");
    // Claude Code ends the Bash tree itself, pid by pid, wrapper and command a moment apart;
    // the wrapper waits for its own signal before recording, so the entry says why.
    expect(entry.state).toBe("killed");
    expect(["signal", "parent-died"]).toContain(entry.reason);
  });

  e2e("SIGTERM to the CLI mid-turn fires SessionEnd, and the session's commands end", async () => {
    const { sb, env } = await setUp();
    const api = mock({ bash: { command: BACKGROUND(sb.dir), description: "Server", run_in_background: true }, holdFinalAnswer: true });
    const r = await inNamespace(
      sb,
      String.raw`
cd "$PROJ"
HOME="$HOME_DIR" ANTHROPIC_BASE_URL="$API" "$CLAUDE" -p "start the server" --allowedTools Bash > /dev/null 2>&1 &
AGENT=$!
wait_until '[ -s "$D/marker" ] && [ "$(sed -n 2p "$D/marker")" != "" ]'
read -r SESSION ID SHELL_PID < "$D/marker"; SLEEP_PID=$(sed -n 2p "$D/marker")
echo "RUNNING_BEFORE $(alive $SHELL_PID)$(alive $SLEEP_PID)"
kill -TERM $AGENT
wait $AGENT
wait_until '[ "$(alive $SHELL_PID)" = no ] && [ "$(alive $SLEEP_PID)" = no ]'
wait_until 'grep -q "\"msg\":\"session end\"" "$SUPERVISE_HOME/supervise.log"'
echo "SESSION $SESSION"
echo "ENTRY $(sv show $ID --json | tr -d '\n')"
echo "LOG $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tail -1)"
`.replace(/\$HOME_DIR/g, env.HOME!).replace(/\$API/g, api.url),
      90_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("RUNNING_BEFORE")).toBe("yesyes");
    const session = r.values.get("SESSION")!;
    const log = JSON.parse(r.values.get("LOG")!);
    expect(log).toMatchObject({ msg: "session end", session, reason: "other" });
    const entry = JSON.parse(r.values.get("ENTRY")!);
    expect(entry).toMatchObject({ session, processes: [] });
    // The CLI kills its Bash trees before it runs SessionEnd hooks: whichever reached the
    // command first is recorded, SessionEnd's own stop included.
    expect(entry.state).toBe("killed");
    expect(["session-end", "signal", "parent-died"]).toContain(entry.reason);
  });
});
