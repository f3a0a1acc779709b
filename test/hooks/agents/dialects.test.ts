// Each agent's pre-tool-use dialect: which calls are wrapped, and the answer's exact shape.

import { describe, expect, test } from "bun:test";
import { BeforeToolOutputSchema, beforeToolCall, preToolUseCall } from "../../helpers/contract.ts";
import { codex } from "../../../src/hooks/agents/codex.ts";
import { gemini } from "../../../src/hooks/agents/gemini.ts";
import { preToolUseOutput, type WrapSettings } from "../../../src/hooks/wrap-background.ts";

const settings: WrapSettings = { bun: "/b/bun", cli: "/s/cli.ts", stateDir: "/st", configPath: null, decision: "allow", deadline: "none" };

describe("Gemini: BeforeTool on run_shell_command", () => {
  test("a background call is wrapped with its session and description, and every argument comes back", () => {
    const input = { command: "npm run dev", description: "dev server", is_background: true as const, dir_path: "web", delay_ms: 500 };
    const out = BeforeToolOutputSchema.parse(preToolUseOutput(beforeToolCall(input), settings, gemini));
    expect(out.hookSpecificOutput.tool_input).toEqual({
      ...input,
      // The original first, double-quoted, as a script bash never runs, for Gemini's policy engine to judge.
      command: "false && bash -c \"npm run dev\"; SUPERVISE_HOME=/st /b/bun /s/cli.ts run --session gem-1 --session-bound --deadline none --name 'dev server' -- bash -c 'npm run dev'",
    });
  });

  const untouched: Array<[string, Record<string, unknown>]> = [
    ["a foreground call", beforeToolCall({ command: "npm test" })],
    ["is_background false", beforeToolCall({ command: "npm test", is_background: false })],
    ["is_background as a string", beforeToolCall({ command: "npm test", is_background: "true" })],
    ["Claude's flag instead of Gemini's", beforeToolCall({ command: "npm test", run_in_background: true })],
    ["another tool", { ...beforeToolCall({ command: "x", is_background: true }), tool_name: "read_file" }],
    ["Claude's tool name", { ...beforeToolCall({ command: "x", is_background: true }), tool_name: "Bash" }],
    ["command substitution, which Gemini refuses", beforeToolCall({ command: "echo $(date) > f; sleep 100", is_background: true })],
    ["backticks", beforeToolCall({ command: "sleep `echo 100`", is_background: true })],
    ["process substitution", beforeToolCall({ command: "diff <(ls) <(ls -a)", is_background: true })],
    ["arithmetic", beforeToolCall({ command: "sleep $((50+50))", is_background: true })],
    ["substitution inside a bash -c wrapper", beforeToolCall({ command: "bash -c 'sleep $(echo 100)'", is_background: true })],
  ];
  for (const [name, data] of untouched) test(`left alone: ${name}`, () => expect(preToolUseOutput(data, settings, gemini)).toBeNull());

  test("quoted substitution is plain text to Gemini, so the call is wrapped", () => {
    const out = BeforeToolOutputSchema.parse(preToolUseOutput(beforeToolCall({ command: "echo '$(not run)'; sleep 100", is_background: true }), settings, gemini));
    expect(out.hookSpecificOutput.tool_input.command).toEndWith("-- bash -c 'echo '\\''$(not run)'\\''; sleep 100'");
  });

  test("the approval stays Gemini's: no decision is sent, whatever hooks.preToolUseDecision says", () => {
    const out = preToolUseOutput(beforeToolCall({ command: "x", is_background: true }), settings, gemini) as Record<string, Record<string, unknown>>;
    expect(Object.keys(out.hookSpecificOutput!).sort()).toEqual(["hookEventName", "tool_input"]);
  });
});

describe("Codex: no rewriting", () => {
  test("not even a call that looks like a background Bash call", () => {
    expect(preToolUseOutput(preToolUseCall({ command: "npm run dev", run_in_background: true }), settings, codex)).toBeNull();
    expect(preToolUseOutput(preToolUseCall({ command: "npm run dev" }), settings, codex)).toBeNull();
  });
});
