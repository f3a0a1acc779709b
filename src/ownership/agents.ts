// The agents whose sessions supervise can tell apart, as data: which variables of a process's
// environment name its session and the agent's own pid. Another agent is one more row.

export type AgentName = "claude-code" | "gemini" | "codex";

export interface AgentRow {
  agent: AgentName;
  /** Names the session; every process the session starts inherits it. Null: the agent exports none. */
  sessionVar: string | null;
  /** The agent's own pid, when the agent exports it. */
  ownerPidVar: string | null;
  /** Set to this value in every process the agent starts. */
  marker: { name: string; value: string } | null;
}

export const AGENTS: readonly AgentRow[] = [
  // Claude Code: CLAUDE_PID since 2.1.214 (measured on 2.1.332).
  { agent: "claude-code", sessionVar: "CLAUDE_CODE_SESSION_ID", ownerPidVar: "CLAUDE_PID", marker: { name: "CLAUDECODE", value: "1" } },
  // Codex (0.171.0): the thread id names the session; no variable names the codex process, so
  // its owner is known only from a recorded session.
  { agent: "codex", sessionVar: "CODEX_THREAD_ID", ownerPidVar: null, marker: null },
  // Gemini CLI (0.61.0) marks its commands and nothing more: a command it left is tied to its
  // session only through a supervise entry (`run --session`), whose owner the session recorded.
  { agent: "gemini", sessionVar: null, ownerPidVar: null, marker: { name: "GEMINI_CLI", value: "1" } },
];

/** Every variable an agent sets in what it starts: its session's, its own pid's, its marker. */
export function agentVariables(agents: readonly AgentRow[] = AGENTS): string[] {
  return agents.flatMap((row) => [row.sessionVar, row.ownerPidVar, row.marker?.name ?? null].filter((name): name is string => name !== null));
}

export function agentRow(agent: AgentName): AgentRow {
  return AGENTS.find((row) => row.agent === agent)!;
}

export function isAgentName(name: string): name is AgentName {
  return AGENTS.some((row) => row.agent === name);
}

/** In a process's environment: no sweep and no SessionEnd ends it (Jenkins' BUILD_ID=dontKillMe). */
export const KEEP_VAR = "SUPERVISE_KEEP";
