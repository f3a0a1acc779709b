// What differs between agents' hook protocols, as one small interface per agent: which tool
// calls a pre-tool-use rewrite wraps, and how the rewrite answer is spelled. Everything else
// (the SessionStart answer, SessionEnd's `{}`) is the same JSON for every supported agent.
// Types only: each agent's dialect is loaded by the hook that needs it.

import type { AgentName } from "../ownership/agents.ts";

export type PreToolUseDecision = "none" | "ask" | "allow";

export interface HookDialect {
  agent: AgentName;
  /** The tool call's input, when it is a background shell command this agent lets supervise wrap; else null. */
  wrappable(data: Record<string, unknown>): Record<string, unknown> | null;
  /** The answer that runs `command` in place of the call's own, every other argument unchanged. */
  rewrite(toolInput: Record<string, unknown>, command: string, decision: PreToolUseDecision): unknown;
}
