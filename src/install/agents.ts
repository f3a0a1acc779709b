// Where each agent keeps its hook settings, and supervise's groups in that agent's terms:
// its event names, its timeout unit, its matchers. One row per agent.

import { join } from "node:path";
import type { AgentName } from "../ownership/agents.ts";
import { homeDirectory } from "../state-dir.ts";
import { supervisorGroups, type HookGroups, type JsonObject } from "./settings.ts";

/** `local`: a project's per-user file that is not committed (Claude Code's settings.local.json). */
export type Scope = "user" | "project" | "local";

export interface InstallTarget {
  agent: AgentName;
  /** The agent's event names supervise installs, in the file's order. */
  events: readonly string[];
  /** The scopes it has a settings file for. */
  scopes: readonly Scope[];
  settingsPath(scope: Scope, cwd: string, env: NodeJS.ProcessEnv): string;
  groups(commandPrefix: string): HookGroups;
}

const home = (env: NodeJS.ProcessEnv) => env.HOME || homeDirectory();

/** A command handler; `timeout` in the agent's own unit. */
function handler(command: string, timeout: number | null): JsonObject {
  return timeout === null ? { type: "command", command } : { type: "command", command, timeout };
}

const CLAUDE_CODE: InstallTarget = {
  agent: "claude-code",
  events: ["SessionStart", "SessionEnd", "PreToolUse", "UserPromptSubmit"],
  scopes: ["user", "project", "local"],
  settingsPath: (scope, cwd, env) =>
    scope === "user" ? join(env.CLAUDE_CONFIG_DIR || join(home(env), ".claude"), "settings.json") : join(cwd, ".claude", scope === "local" ? "settings.local.json" : "settings.json"),
  groups: supervisorGroups,
};

/** Gemini CLI 0.61.0: `~/.gemini` moves with GEMINI_CLI_HOME; timeouts are milliseconds. */
const GEMINI: InstallTarget = {
  agent: "gemini",
  events: ["SessionStart", "SessionEnd", "BeforeTool", "BeforeAgent", "AfterTool"],
  scopes: ["user", "project"],
  settingsPath: (scope, cwd, env) => join(scope !== "user" ? join(cwd, ".gemini") : geminiHome(env), "settings.json"),
  groups: (prefix) => ({
    SessionStart: { hooks: [handler(`${prefix} hook --agent gemini session-start`, 30_000)] },
    // Gemini waits for SessionEnd hooks up to their timeout; ours returns in milliseconds.
    SessionEnd: { hooks: [handler(`${prefix} hook --agent gemini session-end`, 5_000)] },
    BeforeTool: { matcher: "run_shell_command", hooks: [handler(`${prefix} hook --agent gemini pre-tool-use`, 30_000)] },
    // What the session's background commands did reaches the model from these two (docs/agents.md).
    BeforeAgent: { hooks: [handler(`${prefix} hook --agent gemini prompt`, 10_000)] },
    AfterTool: { matcher: "run_shell_command", hooks: [handler(`${prefix} hook --agent gemini post-tool-use`, 10_000)] },
  }),
};

/** Codex 0.171.0: hooks.json beside config.toml (CODEX_HOME); timeouts are seconds, SessionEnd's capped at 3. */
const CODEX: InstallTarget = {
  agent: "codex",
  events: ["SessionStart", "SessionEnd", "UserPromptSubmit", "PostToolUse"],
  scopes: ["user", "project"],
  settingsPath: (scope, cwd, env) => (scope !== "user" ? join(cwd, ".codex", "hooks.json") : join(codexHome(env), "hooks.json")),
  groups: (prefix) => ({
    SessionStart: { hooks: [handler(`${prefix} hook --agent codex session-start`, 30)] },
    SessionEnd: { hooks: [handler(`${prefix} hook --agent codex session-end`, 3)] },
    // What the session's background commands did reaches the model from these two (docs/agents.md).
    UserPromptSubmit: { hooks: [handler(`${prefix} hook --agent codex prompt`, 10)] },
    PostToolUse: { matcher: "Bash", hooks: [handler(`${prefix} hook --agent codex post-tool-use`, 10)] },
  }),
};

export const INSTALL_TARGETS: Record<AgentName, InstallTarget> = { "claude-code": CLAUDE_CODE, gemini: GEMINI, codex: CODEX };

/** The user's `.gemini` (GEMINI_CLI_HOME stands in for the home directory). */
export function geminiHome(env: NodeJS.ProcessEnv): string {
  return join(env.GEMINI_CLI_HOME || home(env), ".gemini");
}

export function codexHome(env: NodeJS.ProcessEnv): string {
  return env.CODEX_HOME || join(home(env), ".codex");
}
