// Gemini CLI's hooks (0.61.0): BeforeTool on run_shell_command. Only `is_background` calls
// are wrapped, and never one Gemini's substitution guard would refuse. The answer's
// `tool_input` replaces the arguments, so it echoes all of them: without `is_background`
// the command would run in the foreground and block the CLI.

import { shellQuote } from "../../render/shell-quote.ts";
import { isObject, type HookDialect } from "../dialect.ts";
import { refusedByGeminiGuard } from "./gemini-guard.ts";

/**
 * Gemini's policy engine judges the command after BeforeTool, so a deny rule for `rm -rf`
 * would not match the wrapped command. A `bash -c '<original>'` sub-command is one Gemini
 * unwraps and judges as the original; behind `false &&`, bash never runs it.
 */
export function withPolicyMirror(original: string, wrapped: string): string {
  return `false && bash -c ${shellQuote(original)}; ${wrapped}`;
}

export const gemini: HookDialect = {
  agent: "gemini",
  wrappable(data) {
    const input = data.tool_input;
    if (data.tool_name !== "run_shell_command" || !isObject(input) || input.is_background !== true) return null;
    return typeof input.command === "string" && refusedByGeminiGuard(input.command) ? null : input;
  },
  // Approval stays Gemini's own (its policy engine judges the rewritten command): no decision is sent.
  rewrite(toolInput, command) {
    const mirrored = withPolicyMirror(String(toolInput.command), command);
    return { hookSpecificOutput: { hookEventName: "BeforeTool", tool_input: { ...toolInput, command: mirrored } } };
  },
};
