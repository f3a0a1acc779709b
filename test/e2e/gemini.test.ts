// End to end with the real Gemini CLI (pinned dev dependency), `gemini -p` driven offline by
// a mock of the Gemini API on 127.0.0.1. Every gemini run is inside a PID namespace: the
// installed SessionStart hook runs a real sweep.

import { Database } from "bun:sqlite";
import { describe, expect, setDefaultTimeout } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { startMockGemini } from "../helpers/mock-gemini.ts";
import { agentSuite, tellWhenReceived, toldOnce } from "../helpers/agent-e2e.ts";
import { inNamespace } from "../helpers/namespace.ts";
import type { MockServer } from "../helpers/mock-server.ts";
import type { Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(150_000);
const suite = agentSuite("Gemini CLI", "gemini");
const GEMINI = suite.bin;
const e2e = suite.e2e;

const mock = (options: Parameters<typeof startMockGemini>[0]) => suite.mock(startMockGemini(options));

/** A background command that records its ids, then runs a two-process pipeline. */
const BACKGROUND = (marker: string) => `echo "$SUPERVISE_ID $$" > ${marker}; sleep 1000 | sleep 1001`;

/** `gemini -p` against a mock: a trusted project, API-key auth, no telemetry, stdin closed, a scratch TMPDIR. */
const GEMINI_P = String.raw`
mkdir -p "$D/tmp"
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
cd "$PROJ"
`;
const run = (api: string, prompt: string, out: string) =>
  `HOME="$GHOME" TMPDIR="$D/tmp" GEMINI_API_KEY=fake GOOGLE_GEMINI_BASE_URL=${api} "$GEMINI" -m gemini-2.5-flash -p "${prompt}" --yolo -o json < /dev/null > "$D/${out}.json" 2> "$D/${out}.err"`;


async function setUp(run: Record<string, string> = {}, hooks: Record<string, string> = {}): Promise<Sandbox> {
  const sb = suite.sandbox({ run, hooks, reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1h", sessionGone: "1s" }, grace: "1s" } });
  const home = join(sb.dir, "home");
  const project = join(sb.dir, "project");
  mkdirSync(join(home, ".gemini"), { recursive: true });
  mkdirSync(project);
  const installed = await runCli(sb, ["install", "--agent", "gemini", "--project"], { env: { HOME: home }, cwd: project });
  expect(installed.exitCode).toBe(0);
  expect(installed.stdout).toBe(`installed supervise's hooks in ${join(project, ".gemini", "settings.json")}\n`);
  // Headless Gemini refuses an untrusted folder; install said how to trust it, and the user does.
  expect(installed.stderr).toContain(`"${project}": "TRUST_FOLDER"`);
  writeFileSync(join(home, ".gemini", "trustedFolders.json"), JSON.stringify({ [project]: "TRUST_FOLDER" }));
  writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } }, privacy: { usageStatisticsEnabled: false } }));
  Object.assign(sb.env, { GEMINI, GHOME: home, PROJ: project });
  return sb;
}

/**
 * One `gemini -p` turn: a background call that records its entry's id and then runs SCRIPT,
 * a foreground `sleep 3` while it runs (or ends), and `echo next`; the mock and the entry's id.
 */
async function backgroundThenWait(sb: Sandbox, script: string, description: string): Promise<{ api: MockServer; id: string }> {
  const api = mock({
    calls: [
      { command: `echo "$SUPERVISE_ID" > ${sb.dir}/marker; ${script}`, description, is_background: true },
      { command: "sleep 3", description: "Wait" },
      { command: "echo next", description: "Next" },
    ],
  });
  const r = await inNamespace(sb, GEMINI_P + String.raw`
${run(api.url, "go on", "gemini-turn")}
echo "EXIT $?"
echo "ID $(cat "$D/marker")"
`, 100_000);
  expect(r.stderr).toBe("");
  expect(r.values.get("EXIT")).toBe("0");
  return { api, id: r.values.get("ID")! };
}

describe("Gemini CLI (real) with supervise installed in the project", () => {
  e2e("session 1: SessionStart reaps a planted orphan; the background run_shell_command runs under supervise run --session; SIGTERM of the CLI leaves nothing of it", async () => {
    const sb = await setUp();
    const api = mock({ calls: [{ command: BACKGROUND(`${sb.dir}/marker`), description: "Server", is_background: true }], holdFinalAnswer: true });
    const stopTelling = tellWhenReceived(api, 2, join(sb.dir, "request-2"));
    const r = await inNamespace(
      sb,
      GEMINI_P +
        String.raw`
TAGGED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG TODO)
wait_age $TAGGED 1100
${run(api.url, "start the server", "gemini1")} &
LAUNCHER=$!
wait_until '[ -s "$D/marker" ] && [ -n "$(pgrep -P "$(cut -d" " -f2 "$D/marker")" | tr -d "\n")" ]'
read -r ID SHELL_PID < "$D/marker"
# The real CLI is the launcher's relaunched child; everything of the command sits below it.
CLI_PID=$(pgrep -P $LAUNCHER)
echo "CLI $CLI_PID $(stat_field $CLI_PID 20)"
TREE=$(descendants $CLI_PID | tr '\n' ' ')
echo "ORPHAN_ALIVE $(alive $TAGGED)"
echo "RUNNING_BEFORE $(alive $SHELL_PID) $(for p in $(pgrep -P $SHELL_PID); do alive $p; done | tr '\n' ' ')"
echo "PS $(sv ps --json | tr -d '\n')"
# The tool's result goes to the mock as the second request: SIGTERM before it would lose it.
wait_until '[ -e "$D/request-2" ]'
kill -TERM $CLI_PID
{ wait $LAUNCHER; } 2> /dev/null
wait_until 'for p in $TREE; do [ "$(alive $p)" = no ] || exit 1; done'
echo "TREE_GONE yes"
wait_until 'grep -qs "\"msg\":\"session end\"" "$SUPERVISE_HOME/supervise.log"'
echo "ENTRY $(sv show $ID --json | tr -d '\n')"
echo "STATS $(sv stats --json | tr -d '\n')"
echo "LOG $(grep '"msg":"session end"' "$SUPERVISE_HOME/supervise.log" | tail -1)"
`,
      100_000,
    ).finally(stopTelling);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const entry = JSON.parse(r.values.get("ENTRY")!);
    const session: string = entry.session;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);

    // SessionStart swept before the first model request.
    expect(r.values.get("ORPHAN_ALIVE")).toBe("no");
    const stats = JSON.parse(r.values.get("STATS")!);
    expect(stats.perRun.find((run: any) => run.trigger === "session-start")).toMatchObject({ session, cleaned: 1, dryRun: false });
    expect(JSON.stringify(api.requests[0])).toContain("SUPERVISE_KEEP=1");

    // The command ran under supervise, in the background, tagged with the session.
    expect(r.values.get("RUNNING_BEFORE")).toBe("yes yes yes ");
    expect(entry).toMatchObject({ name: "Server", command: ["bash", "-c", BACKGROUND(`${sb.dir}/marker`)] });
    const toolResult = JSON.stringify(api.requests[1]);
    expect(toolResult).toContain("Command moved to background");
    expect(toolResult).toContain("modified by a hook");

    // ps attributes the command's processes to the Gemini session, its CLI alive.
    const ps: any[] = JSON.parse(r.values.get("PS")!);
    expect(ps.length).toBeGreaterThanOrEqual(3);
    for (const row of ps) expect(row).toMatchObject({ agent: "gemini", session, ledgerId: entry.id, ownerPid: Number(r.values.get("CLI")!.split(" ")[0]), owner: "alive" });

    // SIGTERM: Gemini ran SessionEnd (reason exit), which ended the command's whole tree.
    expect(r.values.get("TREE_GONE")).toBe("yes");
    expect(JSON.parse(r.values.get("LOG")!)).toMatchObject({ msg: "session end", session, reason: "exit", stopping: [entry.id] });
    expect(entry).toMatchObject({ state: "killed", reason: "session-end", processes: [] });
    // The session was recorded with the real CLI process (the hook's parent), not the node launcher.
    const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
    const recorded = db.query("SELECT agent, owner_pid, owner_start_ticks FROM sessions WHERE session = ?").get(session);
    db.close();
    const [cliPid, cliTicks] = r.values.get("CLI")!.split(" ").map(Number);
    expect(recorded).toEqual({ agent: "gemini", owner_pid: cliPid, owner_start_ticks: cliTicks });
  });

  e2e("session 2's CLI is SIGKILLed mid-command: nothing of its background command is left once session 3 has started, and the ledger says why; session 3's command with $(...) is not wrapped", async () => {
    const sb = await setUp();
    const second = mock({
      calls: [
        // A foreground command that leaves a detached dev server: Gemini marks it (GEMINI_CLI=1) and nothing more.
        { command: `setsid -f ${sb.dir}/s/vite 3000 < /dev/null > /dev/null 2>&1; echo started`, description: "dev server" },
        { command: BACKGROUND(`${sb.dir}/marker`), description: "Watcher", is_background: true },
      ],
      holdFinalAnswer: true,
    });
    const third = mock({ calls: [{ command: `echo $(echo hi) > ${sb.dir}/substituted; sleep 100`, description: "subst", is_background: true }] });
    const r = await inNamespace(
      sb,
      GEMINI_P +
        String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
${run(second.url, "start the watcher", "gemini2")} &
LAUNCHER=$!
wait_until '[ -s "$D/marker" ] && [ "$(pgrep -P "$(cut -d" " -f2 "$D/marker")" | wc -l)" -ge 2 ]'
read -r ID SHELL_PID < "$D/marker"
CLI_PID=$(pgrep -P $LAUNCHER)
# The background call's own tree: the CLI's child that SHELL_PID descends from (a hook the CLI runs meanwhile is not of it).
ROOT=$SHELL_PID; while [ "$ROOT" -gt 1 ] && [ "$(stat_field $ROOT 2)" != "$CLI_PID" ]; do ROOT=$(stat_field $ROOT 2); done
TREE="$ROOT $(descendants $ROOT | tr '\n' ' ')"
echo "TREE_SIZE $(echo $TREE | wc -w)"
{ kill -KILL $CLI_PID; wait $LAUNCHER; } 2> /dev/null
echo "ALIVE_AFTER_CRASH $(for p in $TREE; do alive $p; done | sort -u | tr '\n' ' ')"
${run(third.url, "hello", "gemini3")}
echo "GEMINI3_EXIT $?"
wait_until 'for p in $TREE; do [ "$(alive $p)" = no ] || exit 1; done'
echo "LEFT_GONE yes"
echo "ENTRY $(sv show $ID --json | tr -d '\n')"
echo "LS $(sv ls --all --json | tr -d '\n')"
echo "SUBSTITUTED $([ -e "$D/substituted" ] && echo yes || echo no)"
VITE=$(pgrep -f "^$D/s/vite 3000")
echo "FOREGROUND_LEAK $(alive $VITE) $(tr '\0' '\n' < /proc/$VITE/environ | grep -c '^GEMINI_CLI=1$')"
kill -KILL $VITE
`,
      120_000,
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    // Gemini ended none of it: its shell wrapper, subshell, supervise's wrapper, the command's shell, two sleeps.
    expect(Number(r.values.get("TREE_SIZE"))).toBeGreaterThanOrEqual(6);
    expect(r.values.get("ALIVE_AFTER_CRASH")).toBe("yes ");
    expect(r.values.get("GEMINI3_EXIT")).toBe("0");

    // Session 3's SessionStart proved session 2's CLI gone (its recorded identity) and ended the entry.
    expect(r.values.get("LEFT_GONE")).toBe("yes");
    const entry = JSON.parse(r.values.get("ENTRY")!);
    expect(entry).toMatchObject({ name: "Watcher", state: "killed", reason: "owner-dead", processes: [] });
    expect(JSON.stringify(third.requests[0])).toContain("(owner-dead)");

    // What Gemini started in the foreground and left detached is tied to no session once the
    // CLI is gone (its only mark is GEMINI_CLI=1): no sweep can prove it ownerless.
    expect(r.values.get("FOREGROUND_LEAK")).toBe("yes 1");

    // Gemini's guard refused the $(...) command, unwrapped, as it would without supervise.
    expect(r.values.get("SUBSTITUTED")).toBe("no");
    expect(JSON.stringify(third.requests[1])).toContain("Command injection detected");
    const entries = JSON.parse(r.values.get("LS")!);
    expect(entries.map((e: any) => e.name)).toEqual(["Watcher"]);
  });

  e2e("the model is told, once, that its background command stalled: through the next shell call's AfterTool, and in no later request again", async () => {
    const sb = await setUp({ stallAfter: "1s" });
    const { api, id } = await backgroundThenWait(sb, "exec sleep 1000", "Idle watcher");
    // Not before the second call's result; then once, in it or the next, and in every request after.
    expect(toldOnce(api.requests, `supervise: background "Idle watcher" (${id}) has stalled: no CPU, no output and no listening socket for `, 2)).toBe("told once");
  });

  e2e("a background command that finishes: Gemini does not tell its model, supervise does, once, with its status", async () => {
    const sb = await setUp();
    const { api, id } = await backgroundThenWait(sb, "sleep 1; echo built; exit 3", "Build");
    const texts = api.requests.map((q) => JSON.stringify(q));
    // Gemini's own requests say nothing of the end: the background call's result was "moved to background", and no later part mentions it.
    expect(texts.every((t) => !/exited 3|exit code 3|\(PID: \d+\) (?:exited|finished)/.test(t.replace(/supervise: background[^<]*/g, "")))).toBe(true);
    expect(toldOnce(api.requests, `supervise: background "Build" (${id}) finished: exited 3 after `, 2)).toBe("told once");
  });

  e2e("the user's policy still judges a wrapped command: a background rm -rf it denies is denied with supervise installed", async () => {
    const sb = await setUp();
    mkdirSync(join(sb.env.GHOME!, ".gemini", "policies"));
    writeFileSync(join(sb.env.GHOME!, ".gemini", "policies", "deny.toml"), '[[rule]]\ntoolName = "run_shell_command"\ncommandPrefix = "rm -rf"\ndecision = "deny"\npriority = 100\n');
    writeFileSync(join(sb.dir, "victim"), "keep me");
    const api = mock({ calls: [{ command: `rm -rf ${sb.dir}/victim; sleep 100`, description: "clean", is_background: true }] });
    const r = await inNamespace(
      sb,
      GEMINI_P +
        String.raw`
${run(api.url, "clean up", "gemini")}
echo "EXIT $?"
echo "VICTIM $([ -e "$D/victim" ] && echo kept || echo deleted)"
echo "LS $(sv ls --all --json | tr -d '\n')"
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("VICTIM")).toBe("kept");
    expect(JSON.stringify(api.requests[1])).toContain("Tool execution denied by policy.");
    expect(JSON.parse(r.values.get("LS")!)).toEqual([]);
  });

  e2e("a blind `pkill -f vite` in gemini -p is refused (ask, which nobody could answer, and deny alike) with the reason naming the vite it would end; nothing is signalled", async () => {
    const seen: Record<string, { alive: string; response: string; err: string }> = {};
    for (const mode of ["ask", "deny"]) {
      const sb = await setUp({}, { blindKill: mode });
      const api = mock({ calls: [{ command: "pkill -f vite", description: "Free the port" }] });
      const r = await inNamespace(sb, GEMINI_P + String.raw`
ln -sf "$(command -v sleep)" "$D/s/vite"
VITE=$(orphan "$D/s/vite" 1000)
${run(api.url, "free port 5173", "gemini-kill")}
echo "EXIT $?"
echo "VITE $VITE $(alive $VITE)"
echo "ERR $(tr '\n' '|' < "$D/gemini-kill.err")"
`, 100_000);
      expect(r.stderr).toBe("");
      const responses = api.requests.flatMap((q: any) => q.contents ?? []).flatMap((c: any) => c.parts ?? []).filter((p: any) => p.functionResponse);
      seen[mode] = { alive: r.values.get("VITE")!, response: JSON.stringify(responses[0]?.functionResponse?.response ?? null), err: r.values.get("ERR") ?? "" };
    }
    // gemini -p cannot ask (0.61.0 waits on a hook's ask forever headless): both are refused, the model reading why.
    for (const mode of ["ask", "deny"]) {
      const [pid, alive] = seen[mode]!.alive.split(" ");
      expect([mode, alive]).toEqual([mode, "yes"]);
      const error = String(JSON.parse(seen[mode]!.response)?.error);
      expect(error).toMatch(new RegExp(`^Tool execution blocked: supervise: \`pkill -f vite\` signals by name or port: it would end pid ${pid} "[^"]*/s/vite 1000", not started by any agent session or supervise entry; `));
      expect(seen[mode]!.err).toContain("Hook system message: supervise: `pkill -f vite`");
    }
  });
});
