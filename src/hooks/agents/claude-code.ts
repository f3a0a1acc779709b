// Claude Code's hooks: a Bash call with run_in_background is wrapped; `updatedInput`
// replaces the whole input, and a permission decision may go with it (hooks.preToolUseDecision).

import type { HookDialect } from "../dialect.ts";
import { isObject } from "../input.ts";

export const claudeCode: HookDialect = {
  agent: "claude-code",
  // additionalContext of all three reaches the model (2.1.332, docs/agents.md); PreToolUse, already installed for Bash, carries it there.
  eventNames: { prompt: "UserPromptSubmit", "pre-tool-use": "PreToolUse", "post-tool-use": "PostToolUse" },
  tellsAtPreToolUse: true,
  // A background task's end reaches the model as a notification of its own.
  tellsTaskEnds: true,
  wrappable(data) {
    const input = data.tool_input;
    return data.tool_name === "Bash" && isObject(input) && input.run_in_background === true ? input : null;
  },
  shellCommand(data) {
    const input = data.tool_input;
    return data.tool_name === "Bash" && isObject(input) && typeof input.command === "string" ? input.command : null;
  },
  // The user reads the reason in the approval prompt (ask); the model reads it on deny.
  refuse(decision, reason) {
    return { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: decision, permissionDecisionReason: reason } };
  },
  rewrite(toolInput, command, decision) {
    const output: { hookSpecificOutput: Record<string, unknown> } = {
      hookSpecificOutput: { hookEventName: "PreToolUse", updatedInput: { ...toolInput, command } },
    };
    if (decision !== "none") {
      output.hookSpecificOutput.permissionDecision = decision;
      output.hookSpecificOutput.permissionDecisionReason = "supervise: background command wrapped in supervise run";
    }
    return output;
  },
};
