// The agent is told what its session's background commands did (issue 23): the real CLI's
// hooks against real commands under `supervise run --session-bound`, with run.stallAfter at 1 s.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { EntryListSchema, parseJson } from "../helpers/contract.ts";
import { BUN, CLI, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** An agent's wrapped background call: its session's, stdout a regular file (as Claude Code's task file), stdin a pipe nobody writes. */
function background(session: string, name: string, script: string) {
  const out = openSync(join(sb.dir, `${name}.out`), "w");
  const proc = Bun.spawn([BUN, CLI, "run", "--session", session, "--session-bound", "-n", name, "--", "sh", "-c", script], { env: sb.env, cwd: sb.dir, stdin: "pipe", stdout: out, stderr: out });
  sb.track(proc.pid);
  return proc;
}

async function entry(name: string) {
  return parseJson(EntryListSchema, (await runCli(sb, ["ls", "--all", "--json"])).stdout).find((e) => e.name === name);
}

async function reaches(name: string, activity: string) {
  await waitFor(async () => (await entry(name))?.activity === activity, 15_000, `${name} ${activity}`);
  return (await entry(name))!;
}

const hook = (args: string[], input: unknown) => runCli(sb, ["hook", ...args], { stdin: JSON.stringify(input) });
const context = (stdout: string) => JSON.parse(stdout).hookSpecificOutput?.additionalContext ?? null;

describe("hooks tell the agent, once per change", () => {
  test("a prompt nobody answers: told at the next UserPromptSubmit with its last line, then never again; another session hears nothing", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    background("S1", "npm test", "printf '? Overwrite snapshot? (y/N) '; read -r x");
    const { id } = await reaches("npm test", "waiting-input");
    expect(await hook(["prompt"], { session_id: "S2", hook_event_name: "UserPromptSubmit" })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
    const first = await hook(["prompt"], { session_id: "S1", hook_event_name: "UserPromptSubmit", prompt: "go on" });
    expect({ exitCode: first.exitCode, stderr: first.stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(JSON.parse(first.stdout).hookSpecificOutput.hookEventName).toBe("UserPromptSubmit");
    expect(context(first.stdout)).toMatch(new RegExp(`^supervise: background "npm test" \\(${id}\\) has been waiting for input for \\d+s; its last output line: "\\? Overwrite snapshot\\? \\(y/N\\)"$`));
    expect(await hook(["prompt"], { session_id: "S1" })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
    expect(await hook(["pre-tool-use"], { session_id: "S1", tool_name: "Bash", tool_input: { command: "ls" } })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
  });

  test("Claude Code's PreToolUse carries it, beside a rewrite of a background call too; its end by `supervise kill` is told, with the reason", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" }, hooks: { reapInterval: "none" } });
    background("S1", "idle", "exec sleep 100");
    const { id } = await reaches("idle", "stalled");
    const wrapped = await hook(["pre-tool-use"], { session_id: "S1", cwd: sb.dir, tool_name: "Bash", tool_input: { command: "npm run dev", run_in_background: true } });
    const answer = JSON.parse(wrapped.stdout).hookSpecificOutput;
    expect(answer.updatedInput.command).toContain(" run --session S1 --session-bound ");
    expect(answer.additionalContext).toMatch(new RegExp(`^supervise: background "idle" \\(${id}\\) has stalled: no CPU, no output and no listening socket for \\d+s$`));
    expect((await runCli(sb, ["kill", id])).exitCode).toBe(0);
    await waitFor(async () => (await entry("idle"))?.state === "killed", 10_000, "killed");
    const after = await hook(["pre-tool-use"], { session_id: "S1", tool_name: "Bash", tool_input: { command: "ls" } });
    expect(context(after.stdout)).toMatch(new RegExp(`^supervise: background "idle" \\(${id}\\) was ended by supervise after \\d+s: \`supervise kill\` asked \\(killed by SIGTERM\\)$`));
    expect(await hook(["prompt"], { session_id: "S1" })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
  });

  test("Gemini and Codex spell their events; an agent that does not tell ends is told a plain finish, with what was left running", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    const done = background("G1", "build", "sleep 100 >/dev/null 2>&1 & echo built; exit 3");
    expect(await done.exited).toBe(3);
    const { id } = (await entry("build"))!;
    const beforeAgent = await hook(["--agent", "gemini", "BeforeAgent"], { session_id: "G1", hook_event_name: "BeforeAgent", prompt: "x" });
    expect(JSON.parse(beforeAgent.stdout).hookSpecificOutput.hookEventName).toBe("BeforeAgent");
    expect(context(beforeAgent.stdout)).toMatch(new RegExp(`^supervise: background "build" \\(${id}\\) exited 3 after \\d+ms but left 1 process running: sleep 100 \\(pid \\d+\\)$`));
    expect((await hook(["--agent", "gemini", "AfterTool"], { session_id: "G1", tool_name: "run_shell_command" })).stdout).toBe("{}\n");
    const finished = background("C1", "lint", "exit 0");
    expect(await finished.exited).toBe(0);
    const lint = (await entry("lint"))!;
    const post = await hook(["--agent", "codex", "PostToolUse"], { session_id: "C1", hook_event_name: "PostToolUse", tool_name: "Bash" });
    expect(JSON.parse(post.stdout)).toEqual({ hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: expect.stringMatching(new RegExp(`^supervise: background "lint" \\(${lint.id}\\) finished: exited 0 after \\d+m?s$`)) } });
    // Claude Code tells a plain finish itself: nothing from supervise.
    const claudeDone = background("K1", "quick", "exit 0");
    expect(await claudeDone.exited).toBe(0);
    expect((await hook(["prompt"], { session_id: "K1" })).stdout).toBe("{}\n");
  });

  test("hooks racing for the same change: exactly one of them tells it", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    background("S1", "idle", "exec sleep 100");
    await reaches("idle", "stalled");
    const answers = await Promise.all(Array.from({ length: 6 }, () => hook(["prompt"], { session_id: "S1" })));
    for (const a of answers) expect({ exitCode: a.exitCode, stderr: a.stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(answers.map((a) => context(a.stdout)).filter((c) => c !== null)).toHaveLength(1);
  });

  test("more changes than one message holds: five now, the rest at the next hook, each once", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    for (let i = 0; i < 7; i++) background("S1", `idle-${i}`, "exec sleep 100");
    await waitFor(async () => parseJson(EntryListSchema, (await runCli(sb, ["ls", "--json"])).stdout).filter((e) => e.activity === "stalled").length === 7, 20_000, "seven stalled");
    const first = context((await hook(["prompt"], { session_id: "S1" })).stdout).split("\n");
    const second = context((await hook(["prompt"], { session_id: "S1" })).stdout).split("\n");
    expect([first.length, second.length]).toEqual([5, 2]);
    expect(new Set([...first, ...second].map((line: string) => line.match(/"(idle-\d)"/)![1])).size).toBe(7);
    expect((await hook(["prompt"], { session_id: "S1" })).stdout).toBe("{}\n");
  });

  test("no ledger yet: `{}`, and no state is created; input that is not JSON or names no session: `{}`", async () => {
    sb = makeSandbox();
    expect(await hook(["prompt"], { session_id: "S1" })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
    expect(existsSync(sb.home)).toBe(false);
    expect(await runCli(sb, ["hook", "prompt"], { stdin: "not json" })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "supervise: hook: hook input is not valid JSON\n" });
    expect(await hook(["post-tool-use"], { session_id: 7 })).toEqual({
      exitCode: 0,
      stdout: "{}\n",
      stderr: "supervise: hook: dropped hook input field of the wrong type: session_id (expected string, received number)\n",
    });
  });
});
