// `supervise hook pre-tool-use` through the real CLI: the rewrite it prints, and that its own
// trouble (bad input, a bad config, stdin left open) never blocks a tool call.

import { afterEach, describe, expect, test } from "bun:test";
import { PreToolUseOutputSchema as OutputSchema, preToolUseCall as call } from "../helpers/contract.ts";
import { shellQuote } from "../../src/render/shell-quote.ts";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});


const NO_PERIODIC = { hooks: { reapInterval: "none" } };

describe("supervise hook pre-tool-use (real CLI)", () => {
  test("a foreground command: {} (no change), exit 0, nothing on stderr", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(call({ command: "npm test", run_in_background: false })) });
    expect(r).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
  });

  test("fields of the wrong type: no rewrite, {}, exit 0, one stderr line naming them", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const cases: Array<[unknown, string]> = [
      [call({ command: ["sleep", "1"], run_in_background: true }), "tool_input.command (expected string, received array)"],
      [call({ command: "sleep 1", run_in_background: "true" }), "tool_input.run_in_background (expected boolean, received string)"],
      [{ ...call({ command: "sleep 1", run_in_background: true }), session_id: 42 }, "session_id (expected string, received number)"],
    ];
    for (const [input, named] of cases) {
      const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(input) });
      expect(r).toEqual({ exitCode: 0, stdout: "{}\n", stderr: `supervise: hook: dropped hook input field of the wrong type: ${named}; leaving the tool call as it is\n` });
    }
  });

  test("a background command: the rewrite, pointing at this Bun, this CLI, the hook's state dir and explicit config", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(call({ command: "sleep 1 && echo done", run_in_background: true })) });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const out = OutputSchema.parse(JSON.parse(r.stdout));
    expect(out.hookSpecificOutput.updatedInput.command).toBe(
      `false && bash -c "sleep 1 && echo done"; SUPERVISE_HOME=${shellQuote(sb.home)} SUPERVISE_CONFIG=${shellQuote(sb.configPath)} ${shellQuote(process.execPath)} ${shellQuote(require("node:path").resolve(import.meta.dir, "../../src/cli.ts"))} run --session sess-1 --session-bound --deadline none -- bash -c 'sleep 1 && echo done'`,
    );
  });

  test("hooks.deadline, not run.deadline, is the wrapped command's deadline", async () => {
    sb = makeSandbox({ run: { deadline: "5m" }, hooks: { deadline: "2h", reapInterval: "none" } });
    const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(call({ command: "x", run_in_background: true })) });
    expect(r.stderr).toBe("");
    expect(OutputSchema.parse(JSON.parse(r.stdout)).hookSpecificOutput.updatedInput.command).toEndWith(" run --session sess-1 --session-bound --deadline 2h -- bash -c x");
  });

  test("in a removed working directory: the rewrite, exit 0", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const { BUN, CLI } = await import("../helpers/sandbox.ts");
    const gone = require("node:path").join(sb.dir, "gone");
    const input = JSON.stringify({ ...call({ command: "x", run_in_background: true }), cwd: undefined });
    const proc = Bun.spawn(["bash", "-c", 'mkdir "$1" && cd "$1" && rmdir "$1" && exec "$2" "$3" hook pre-tool-use', "-", gone, BUN, CLI], {
      env: sb.env,
      stdin: new TextEncoder().encode(input),
      stdout: "pipe",
      stderr: "pipe",
    });
    sb.track(proc.pid);
    const [stdout, stderr, code] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    expect({ stderr, code }).toEqual({ stderr: "", code: 0 });
    expect(OutputSchema.parse(JSON.parse(stdout)).hookSpecificOutput.updatedInput.command).toEndWith(" -- bash -c x");
  });

  test("the config's decision is used", async () => {
    sb = makeSandbox({ hooks: { preToolUseDecision: "ask", reapInterval: "none" } });
    const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(call({ command: "x", run_in_background: true })) });
    expect(OutputSchema.parse(JSON.parse(r.stdout)).hookSpecificOutput.permissionDecision).toBe("ask");
  });

  test("its own trouble never blocks the call: bad input or a bad config give exit 0, {}, one stderr line", async () => {
    sb = makeSandbox({ run: { deadline: "soon" }, ...NO_PERIODIC });
    for (const stdin of ["", "{not json", "[1]"]) {
      const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe("{}\n");
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
    // The config is only read for a background command; this one is bad.
    const r = await runCli(sb, ["hook", "pre-tool-use"], { stdin: JSON.stringify(call({ command: "x", run_in_background: true })) });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("{}\n");
    expect(r.stderr).toStartWith("supervise: hook: not wrapping the background command: ");
    expect(r.stderr.split("\n")).toHaveLength(2);
  });
});

describe("hook input that never ends", () => {
  test("stdin left open: the hook gives up after 2 s, exits 0 with one stderr line, and leaves the call alone", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const { BUN, CLI } = await import("../helpers/sandbox.ts");
    const proc = Bun.spawn([BUN, CLI, "hook", "pre-tool-use"], { env: sb.env, cwd: sb.dir, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    proc.stdin.write('{"tool_name": "Bash"');
    proc.stdin.flush();
    const [stdout, stderr, code] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    proc.stdin.end();
    expect({ stdout, code }).toEqual({ stdout: "{}\n", code: 0 });
    expect(stderr).toBe("supervise: hook: cannot read hook input: no end of input within 2000 ms; leaving the tool call as it is\n");
  });
});
