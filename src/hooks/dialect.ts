// What differs between agents' hook protocols, as one small interface per agent: which tool
// calls a pre-tool-use rewrite wraps, and how the rewrite answer is spelled. Everything else
// (the SessionStart answer, SessionEnd's `{}`) is the same JSON for every supported agent.
// Each agent's dialect is loaded by the hook that needs it.

import type { AgentName } from "../ownership/agents.ts";

/** The events whose answer can reach the model (measured per agent: docs/agents.md). */
export type TellingEvent = "prompt" | "pre-tool-use" | "post-tool-use";

export type PreToolUseDecision = "none" | "ask" | "allow";

export interface HookDialect {
  agent: AgentName;
  /** The tool call's input, when it is a background shell command this agent lets supervise wrap; else null. */
  wrappable(data: Record<string, unknown>): Record<string, unknown> | null;
  /** The shell command of any shell tool call, background or not; null for other calls (and for an agent supervise does not guard). */
  shellCommand(data: Record<string, unknown>): string | null;
  /** Whether an ask can reach a user now; absent: always (the agent refuses an ask it cannot put). */
  canAsk?(): boolean;
  /** The answer that asks the user about the call, or refuses it, with `reason` where the user and the model read it. */
  refuse(decision: "ask" | "deny", reason: string): object;
  /** The answer that runs `command` in place of the call's own, every other argument unchanged. */
  rewrite(toolInput: Record<string, unknown>, command: string, decision: PreToolUseDecision): unknown;
  /** The agent's own names of the events, as its answers must spell them. */
  eventNames: Record<TellingEvent, string>;
  /** Whether the answer to pre-tool-use reaches the model (Claude Code's does): it then carries the notices too. */
  tellsAtPreToolUse: boolean;
  /** The agent tells its model itself when one of its background commands ends. */
  tellsTaskEnds: boolean;
}

/** Each agent's dialect, loaded when its hook runs. */
export async function dialectOf(agent: AgentName): Promise<HookDialect> {
  if (agent === "gemini") return (await import("./agents/gemini.ts")).gemini;
  if (agent === "codex") return (await import("./agents/codex.ts")).codex;
  return (await import("./agents/claude-code.ts")).claudeCode;
}
