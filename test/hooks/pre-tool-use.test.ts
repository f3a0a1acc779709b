// PreToolUse: which tool calls are rewritten, the exact shape of the answer, and the hook
// through the real CLI (never blocking a call over its own trouble).

import { afterEach, describe, expect, test } from "bun:test";
import { z } from "zod";
import { isSupervised, preToolUseOutput, wrapCommand, type WrapSettings } from "../../src/hooks/pre-tool-use.ts";
import { shellQuote } from "../../src/render/shell-quote.ts";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const settings: WrapSettings = { bun: "/opt/bun/bin/bun", cli: "/opt/supervise/src/cli.ts", stateDir: "/home/u/.local/state/supervise", configPath: null, decision: "none" };
const call = (toolInput: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  session_id: "sess-1",
  cwd: "/proj",
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: toolInput,
  ...extra,
});

const OutputSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({
    hookEventName: z.literal("PreToolUse"),
    updatedInput: z.looseObject({ command: z.string(), run_in_background: z.literal(true) }),
    permissionDecision: z.enum(["ask", "allow"]).optional(),
    permissionDecisionReason: z.string().optional(),
  }),
});

describe("preToolUseOutput: what is left alone", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["a foreground command", call({ command: "npm test", run_in_background: false })],
    ["run_in_background missing", call({ command: "npm test" })],
    ["run_in_background as a string", call({ command: "npm test", run_in_background: "true" })],
    ["another tool", { ...call({ command: "x", run_in_background: true }), tool_name: "Read" }],
    ["no tool_input", { tool_name: "Bash" }],
    ["tool_input an array", { tool_name: "Bash", tool_input: [] }],
    ["an empty command", call({ command: "  ", run_in_background: true })],
    ["a command that is not a string", call({ command: ["ls"], run_in_background: true })],
    ["a NUL in the command", call({ command: "echo a\0b", run_in_background: true })],
    ["already ours", call({ command: wrapCommand("npm run dev", { ...settings, session: "s", name: null }), run_in_background: true })],
    ["supervise typed by hand", call({ command: "supervise run -d 5m -- npm run dev", run_in_background: true })],
    ["supervise by path, with env", call({ command: "FOO=1 /usr/local/bin/supervise npm run dev", run_in_background: true })],
  ];
  for (const [name, data] of cases) test(name, () => expect(preToolUseOutput(data, settings)).toBeNull());
});

describe("preToolUseOutput: a background Bash command", () => {
  test("is wrapped with the session and the description as its name; every other field comes back", () => {
    const input = { command: "npm run dev", description: "Start the dev server", timeout: 600000, run_in_background: true as const, future_field: { x: 1 } };
    const out = OutputSchema.parse(preToolUseOutput(call(input), settings));
    expect(out.hookSpecificOutput.updatedInput).toEqual({
      ...input,
      command: "SUPERVISE_HOME=/home/u/.local/state/supervise /opt/bun/bin/bun /opt/supervise/src/cli.ts run --session sess-1 --name 'Start the dev server' -- bash -c 'npm run dev'",
    });
    expect(out.hookSpecificOutput.permissionDecision).toBeUndefined();
  });

  test("hooks.preToolUseDecision ask/allow adds the decision; none leaves it to the user's rules", () => {
    for (const decision of ["ask", "allow"] as const) {
      const out = OutputSchema.parse(preToolUseOutput(call({ command: "x", run_in_background: true }), { ...settings, decision }));
      expect(out.hookSpecificOutput.permissionDecision).toBe(decision);
      expect(out.hookSpecificOutput.permissionDecisionReason).toContain("supervise");
    }
  });

  test("an explicit config and hostile session ids and descriptions are quoted", () => {
    const out = preToolUseOutput(call({ command: "x", description: "it's $(rm -rf ~) `x`", run_in_background: true }, { session_id: "a'b; rm" }), { ...settings, configPath: "/c d/conf.json" })!;
    expect(out.hookSpecificOutput.updatedInput.command).toBe(
      "SUPERVISE_HOME=/home/u/.local/state/supervise SUPERVISE_CONFIG='/c d/conf.json' /opt/bun/bin/bun /opt/supervise/src/cli.ts run --session 'a'\\''b; rm' --name 'it'\\''s $(rm -rf ~) `x`' -- bash -c x",
    );
  });

  test("a long description is cut to 60 characters for the name", () => {
    const out = preToolUseOutput(call({ command: "x", description: "d".repeat(200), run_in_background: true }), settings)!;
    expect(out.hookSpecificOutput.updatedInput.command).toContain(`--name ${"d".repeat(60)} --`);
  });
});

describe("shellQuote", () => {
  const cases: Array<[string, string]> = [
    ["plain", "plain"],
    ["/a/b-c_d.e:f,g=h@i%j+k", "/a/b-c_d.e:f,g=h@i%j+k"],
    ["", "''"],
    ["a b", "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ["$HOME `x` \\ \" ! *", "'$HOME `x` \\ \" ! *'"],
    ["line\nbreak", "'line\nbreak'"],
    ["日本", "'日本'"],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => expect(shellQuote(input)).toBe(expected));
});

describe("isSupervised", () => {
  const cases: Array<[string, boolean]> = [
    ["supervise ls", true],
    ["  supervise", true],
    ["/usr/bin/supervise run -- x", true],
    ["A=1 B=2 supervise x", true],
    ["supervisex", false],
    ["echo supervise", false],
    ["npm run dev", false],
    [`SUPERVISE_HOME=/x ${settings.bun} ${settings.cli} run -- bash -c y`, true],
  ];
  for (const [command, expected] of cases) test(command, () => expect(isSupervised(command, settings)).toBe(expected));
});

// Outside a PID namespace the periodic sweep must never start: every sandbox here turns it off.
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
      `SUPERVISE_HOME=${shellQuote(sb.home)} SUPERVISE_CONFIG=${shellQuote(sb.configPath)} ${shellQuote(process.execPath)} ${shellQuote(require("node:path").resolve(import.meta.dir, "../../src/cli.ts"))} run --session sess-1 -- bash -c 'sleep 1 && echo done'`,
    );
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
