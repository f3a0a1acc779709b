// The agents whose sessions supervise can tell apart, as data: which variables of a process's
// environment name its session and the agent's own pid. Another agent is one more row.

export interface AgentRow {
  agent: string;
  /** Names the session; every process the session starts inherits it. */
  sessionVar: string;
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
];

/** In a process's environment: no sweep and no SessionEnd ends it (Jenkins' BUILD_ID=dontKillMe). */
export const KEEP_VAR = "SUPERVISE_KEEP";
