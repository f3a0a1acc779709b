// Codex CLI's hooks (0.171.0): SessionStart and SessionEnd only. Codex has no background
// flag, and takes a rewrite only with permissionDecision "allow", which would skip the
// user's approval: supervise never rewrites a Codex tool call.

import type { HookDialect } from "../dialect.ts";

export const codex: HookDialect = {
  agent: "codex",
  eventNames: { prompt: "UserPromptSubmit", "pre-tool-use": "PreToolUse", "post-tool-use": "PostToolUse" },
  tellsAtPreToolUse: false,
  tellsTaskEnds: false,
  wrappable: () => null,
  // No pre-tool-use hook is installed for Codex (see the head of this file): nothing is guarded.
  shellCommand: () => null,
  refuse: () => ({}),
  rewrite: () => ({}),
};
