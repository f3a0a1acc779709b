// Gemini CLI's hooks (0.61.0): BeforeTool on run_shell_command. Only `is_background` calls
// are wrapped, and never one Gemini's substitution guard would refuse. The answer's
// `tool_input` replaces the arguments, so it echoes all of them: without `is_background`
// the command would run in the foreground and block the CLI.

import type { HookDialect } from "../dialect.ts";
import { isObject } from "../input.ts";
import { refusedByGeminiGuard } from "./gemini-guard.ts";

export const gemini: HookDialect = {
  agent: "gemini",
  eventNames: { prompt: "BeforeAgent", "pre-tool-use": "BeforeTool", "post-tool-use": "AfterTool" },
  tellsAtPreToolUse: false,
  tellsTaskEnds: false,
  wrappable(data) {
    const input = data.tool_input;
    if (data.tool_name !== "run_shell_command" || !isObject(input) || input.is_background !== true) return null;
    return typeof input.command === "string" && refusedByGeminiGuard(input.command) ? null : input;
  },
  shellCommand(data) {
    const input = data.tool_input;
    return data.tool_name === "run_shell_command" && isObject(input) && typeof input.command === "string" ? input.command : null;
  },
  canAsk: () => (require("./gemini-ask.ts") as typeof import("./gemini-ask.ts")).geminiCanAsk(),
  // ask: Gemini asks the user, showing systemMessage; deny: the model reads "Tool execution blocked: <reason>".
  refuse(decision, reason) {
    return { decision, reason, systemMessage: reason };
  },
  // Approval stays Gemini's own (its policy engine judges the rewritten command): no decision is sent.
  rewrite(toolInput, command) {
    return { hookSpecificOutput: { hookEventName: "BeforeTool", tool_input: { ...toolInput, command } } };
  },
};
