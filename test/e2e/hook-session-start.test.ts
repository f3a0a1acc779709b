// `supervise hook session-start`: Claude Code's hook JSON in, hook JSON out, exit 0 always.
// The hook sweeps for real, so every case runs inside a PID namespace.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SESSION_RULE, sessionRules } from "../../src/hooks/session-start.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

const SessionStartOutput = z.strictObject({
  hookSpecificOutput: z.strictObject({ hookEventName: z.literal("SessionStart"), additionalContext: z.string().min(1).optional() }),
  systemMessage: z.string().min(1).optional(),
});

const SHORT = { reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1s" }, grace: "1s", notifyAbove: 0 } };

/** Each case: `hook_case NAME [STDIN]` prints NAME_OUT, NAME_ERR (stderr line count) and NAME_CODE. */
const HOOK_CASE = String.raw`
hook_case() {
  local name=$1 input=$2 out err code
  out=$(printf '%s' "$input" | sv hook session-start 2>"$D/$name.err"); code=$?
  echo "${"$"}{name}_OUT $out"; echo "${"$"}{name}_ERRLINES $(wc -l < "$D/$name.err")"; echo "${"$"}{name}_ERR $(head -1 "$D/$name.err")"; echo "${"$"}{name}_CODE $code"
}
`;

function parsed(v: Map<string, string>, name: string) {
  expect(v.get(`${name}_CODE`)).toBe("0");
  return SessionStartOutput.parse(JSON.parse(v.get(`${name}_OUT`)!));
}

describe("hook session-start", () => {
  nsTest(
    "reaps a leaked orphan, tells the agent what it did and what still runs, records the run in the history",
    async () => {
      sb = makeSandbox(SHORT);
      const r = await inNamespace(
        sb,
        HOOK_CASE +
          String.raw`
hook_case QUIET '{"session_id":"s-quiet","source":"startup","cwd":"'"$D"'","hook_event_name":"SessionStart"}'
LEAK=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG)
"$BUN" "$CLI" run -d 0 -n dev-server -- sleep 1000 & W=$!
wait_age $LEAK 1100
wait_until '[ -n "$(sv ls --json | grep dev-server)" ]'
hook_case FOUND '{"session_id":"s-found","source":"startup","cwd":"'"$D"'","hook_event_name":"SessionStart"}'
echo "LEAK_ALIVE $(alive $LEAK)"
echo "WRAPPER_ALIVE $(alive $W)"
kill $W; wait $W; echo "WRAPPER_EXIT $?"
`,
      );
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const quiet = parsed(v, "QUIET");
      expect(quiet).toEqual({ hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: sessionRules("s-quiet") } });
      expect(v.get("QUIET_ERRLINES")).toBe("0");

      const found = parsed(v, "FOUND");
      expect(v.get("FOUND_ERRLINES")).toBe("0");
      expect(found.hookSpecificOutput.additionalContext).toMatch(
        /^supervise ended 1 process leaked by earlier sessions \(1 rg-tag\): \S+\/rg -c sleep 1000 & wait rg @TAG \(rg-tag\)\. Still running under supervise for this user: \w{10} \(dev-server, running \d+(ms|s)\)\./,
      );
      expect(found.hookSpecificOutput.additionalContext).toEndWith(` ${sessionRules("s-found")}`);
      expect(found.systemMessage).toMatch(/reaped 1 leaked processes/);
      expect(v.get("LEAK_ALIVE")).toBe("no");
      expect(v.get("WRAPPER_ALIVE")).toBe("yes");
      expect(v.get("WRAPPER_EXIT")).toBe("143");

      const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
      db.run("PRAGMA busy_timeout = 5000");
      try {
        const runs = db.query("SELECT trigger, session, dry_run, terminated, killed FROM reap_runs ORDER BY id").all();
        expect(runs).toEqual([
          { trigger: "session-start", session: "s-quiet", dry_run: 0, terminated: 0, killed: 0 },
          { trigger: "session-start", session: "s-found", dry_run: 0, terminated: 1, killed: 0 },
        ]);
      } finally {
        db.close();
      }
    },
    60_000,
  );

  nsTest(
    "malformed or empty stdin, a bad config, a broken state dir: exit 0, valid hook JSON, one stderr line",
    async () => {
      sb = makeSandbox(SHORT);
      writeFileSync(join(sb.dir, "bad.json"), JSON.stringify({ reap: { grace: "3s", surprise: true } }));
      writeFileSync(join(sb.dir, "not-a-dir"), "");
      const r = await inNamespace(
        sb,
        HOOK_CASE +
          String.raw`
LEAK=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG); wait_age $LEAK 1100
hook_case GARBAGE 'this is not json {'
hook_case EMPTY ''
hook_case ARRAY '[1,2]'
hook_case MISTYPED '{"session_id":42,"cwd":["/"]}'
LEAK2=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG); wait_age $LEAK2 1100
SUPERVISE_CONFIG="$D/bad.json" hook_case BADCONFIG '{"session_id":"s"}'
echo "LEAK2_ALIVE $(alive $LEAK2)"
SUPERVISE_HOME="$D/not-a-dir/state" hook_case BROKEN '{"session_id":"s"}'
echo "LEAK2_AFTER_BROKEN $(alive $LEAK2)"
`,
      );
      expect(r.exitCode).toBe(0);
      const v = r.values;
      for (const name of ["GARBAGE", "EMPTY", "ARRAY", "MISTYPED", "BADCONFIG", "BROKEN"]) {
        parsed(v, name);
        expect(v.get(`${name}_ERRLINES`)).toBe("1");
      }
      expect(v.get("GARBAGE_ERR")).toBe("supervise: hook: hook input is not valid JSON; sweeping anyway");
      expect(v.get("EMPTY_ERR")).toBe("supervise: hook: empty hook input; sweeping anyway");
      expect(v.get("ARRAY_ERR")).toBe("supervise: hook: hook input is not a JSON object; sweeping anyway");
      expect(v.get("MISTYPED_ERR")).toBe(
        "supervise: hook: dropped hook input fields of the wrong type: session_id (expected string, received number), cwd (expected string, received array); sweeping anyway",
      );
      // The garbage-input sweep still reaped the leak.
      expect(parsed(v, "GARBAGE").hookSpecificOutput.additionalContext).toMatch(/ended 1 process/);
      // A bad config is not guessed around: no sweep, and the user is told.
      expect(v.get("BADCONFIG_ERR")).toMatch(/^supervise: hook: config .*bad\.json: .*surprise.*; not reaping$/);
      expect(parsed(v, "BADCONFIG").systemMessage).toMatch(/surprise/);
      expect(v.get("LEAK2_ALIVE")).toBe("yes");
      // Without a ledger the unledgered rules still run; the problem is one stderr line.
      expect(v.get("BROKEN_ERR")).toMatch(/^supervise: hook: ledger: /);
      expect(v.get("LEAK2_AFTER_BROKEN")).toBe("no");
    },
    60_000,
  );

  test("the sentence the agent is told: sessions bound what it starts; a background command has no deadline, and its & leftovers stay with the session", () => {
    expect(SESSION_RULE).toContain("is ended when the session ends (or at the next session's start, if the agent dies first)");
    expect(SESSION_RULE).toContain("SUPERVISE_KEEP=1");
    expect(SESSION_RULE).toContain("A background command has no time limit until then (hooks.deadline, default none)");
    expect(SESSION_RULE).toContain("what it leaves running with & lives on until then too");
  });

  test("the port sentence: one line naming supervise kill --port with the session's own id (Gemini puts none in its shell's environment)", () => {
    expect(sessionRules("g-7")).toBe(
      `${SESSION_RULE} To free a port, run \`supervise kill --port N --session g-7\`: it ends only this session's holder and names any other owner, where pkill, killall, fuser -k or kill $(lsof -ti:N) would end whatever matches.`,
    );
    expect(sessionRules(null)).toContain("`supervise kill --port N`:");
    expect(sessionRules("x\u001b[2J")).not.toContain("\u001b");
  });

  nsTest(
    "the ledger write-locked by another process: the session record gives up within its share of reap.timeoutMs; valid JSON, exit 0, inside the budget",
    async () => {
      sb = makeSandbox({ reap: { timeoutMs: 1000 } });
      // Holds the ledger's write lock (BEGIN IMMEDIATE) until killed.
      writeFileSync(
        join(sb.dir, "lock.ts"),
        `import { openLedger } from ${JSON.stringify(join(import.meta.dir, "..", "..", "src", "ledger", "open.ts"))};
const { db } = openLedger(process.env.SUPERVISE_HOME!);
db.run("BEGIN IMMEDIATE");
await Bun.write(process.argv[2]!, "");
// The interval keeps the process, and its use of db keeps the connection (and its lock) from being collected.
setInterval(() => db.inTransaction, 60_000);
`,
      );
      const r = await inNamespace(
        sb,
        HOOK_CASE +
          String.raw`
mkdir -p "$SUPERVISE_HOME"
"$BUN" "$D/lock.ts" "$D/locked" & LOCK=$!
wait_until '[ -e "$D/locked" ]'
T0=$(date +%s%3N)
CLAUDE_PID=$$ hook_case LOCKED '{"session_id":"s-locked","source":"startup","cwd":"'"$D"'","hook_event_name":"SessionStart"}'
echo "ELAPSED_MS $(( $(date +%s%3N) - T0 ))"
kill $LOCK; wait $LOCK 2>/dev/null
echo "RECORDED $("$BUN" -e 'const { Database } = require("bun:sqlite"); const db = new Database(process.argv[1], { readonly: true }); console.log(db.query("SELECT count(*) AS n FROM sessions").get().n)' "$SUPERVISE_HOME/ledger.db")"
`,
      );
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const out = parsed(v, "LOCKED");
      expect(out.hookSpecificOutput.additionalContext).toEndWith(sessionRules("s-locked"));
      expect(v.get("LOCKED_ERR")).toMatch(/^supervise: hook: session not recorded: .*locked/);
      expect(v.get("RECORDED")).toBe("0");
      // Before: the record alone waited 5 s for the lock. A generous bound, not a measurement.
      expect(Number(v.get("ELAPSED_MS"))).toBeLessThan(4_000);
    },
    60_000,
  );

  nsTest(
    "a removed working directory and no cwd in the input: the sweep runs; exit 0, valid JSON, no stderr",
    async () => {
      sb = makeSandbox(SHORT);
      const r = await inNamespace(
        sb,
        HOOK_CASE +
          String.raw`
LEAK=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG); wait_age $LEAK 1100
mkdir "$D/gone"; cd "$D/gone"; rmdir "$D/gone"
hook_case GONE '{"session_id":"s-gone","source":"startup","hook_event_name":"SessionStart"}'
cd "$D"
echo "LEAK_ALIVE $(alive $LEAK)"
`,
      );
      expect(r.exitCode).toBe(0);
      const v = r.values;
      expect(v.get("GONE_ERRLINES")).toBe("0");
      const out = parsed(v, "GONE");
      expect(out.hookSpecificOutput.additionalContext).toMatch(/^supervise ended 1 process leaked by earlier sessions/);
      expect(v.get("LEAK_ALIVE")).toBe("no");
    },
    60_000,
  );

  // Claude Code reads exit 2 from PreToolUse as "block the call": a hook's own trouble never blocks.
  test("an unknown hook event, a bad --agent or an extra argument: {} on stdout, one stderr line, exit 0", async () => {
    // No flow runs here, and none may sweep this machine if one did.
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const { runCli } = await import("../helpers/cli.ts");
    const known = "(known: session-start, pre-tool-use, session-end, prompt, post-tool-use, or SessionStart, PreToolUse, BeforeTool, SessionEnd, UserPromptSubmit, BeforeAgent, PostToolUse, AfterTool)";
    expect(await runCli(sb, ["hook", "bogus"])).toEqual({ stdout: "{}\n", stderr: `supervise: hook: unknown hook event 'bogus' ${known}\n`, exitCode: 0 });
    expect(await runCli(sb, ["hook"])).toEqual({ stdout: "{}\n", stderr: `supervise: hook: unknown hook event '' ${known}\n`, exitCode: 0 });
    const agent = await runCli(sb, ["hook", "--agent", "nosuch", "pre-tool-use"]);
    expect([agent.stdout, agent.exitCode, agent.stderr.split("\n").length]).toEqual(["{}\n", 0, 2]);
    expect(await runCli(sb, ["hook", "session-end", "extra"])).toEqual({ stdout: "{}\n", stderr: "supervise: hook: unexpected argument 'extra'\n", exitCode: 0 });
  });

  test("the agents' own event names work: PreToolUse and BeforeTool (Gemini) as pre-tool-use", async () => {
    // A PreToolUse hook may start the periodic sweep: never outside a namespace.
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const { runCli } = await import("../helpers/cli.ts");
    const call = JSON.stringify({ session_id: "s-1", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "npm test" }, cwd: sb.dir });
    expect(await runCli(sb, ["hook", "PreToolUse"], { stdin: call })).toEqual({ stdout: "{}\n", stderr: "", exitCode: 0 });
    const gemini = JSON.stringify({ session_id: "g-1", hook_event_name: "BeforeTool", tool_name: "run_shell_command", tool_input: { command: "npm test" }, cwd: sb.dir });
    expect(await runCli(sb, ["hook", "--agent", "gemini", "BeforeTool"], { stdin: gemini })).toEqual({ stdout: "{}\n", stderr: "", exitCode: 0 });
  });
});
