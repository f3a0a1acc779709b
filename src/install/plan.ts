// What `install` would change, file by file, before anything is written: each agent's hook
// settings, and for Codex the trust entries in config.toml. Any file that cannot be merged
// refuses the whole install, so a refusal leaves every file untouched.

import { join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import type { AgentName } from "../ownership/agents.ts";
import { codexHome, INSTALL_TARGETS, type InstallTarget, type Scope } from "./agents.ts";
import { supervisorTrust } from "./codex-trust.ts";
import { readText } from "./files.ts";
import { withoutComments } from "./jsonc.ts";
import { SettingsShapeError, withSupervisorHooks, type Json } from "./settings.ts";
import { TomlEditError, withTrustedHashes } from "./toml-trust.ts";

export interface FileChange {
  path: string;
  kind: "hooks" | "trust";
  /** The text there now; null: no such file. */
  before: string | null;
  after: string;
  /** Nothing would change (for JSON: the same data, however it is formatted). */
  same: boolean;
  /** The file held comments (Gemini allows them) that the rewrite does not keep. */
  commentsDropped?: boolean;
}

export interface InstallRequest {
  agents: readonly AgentName[];
  scope: Scope;
  uninstall: boolean;
  commandPrefix: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function planInstall(request: InstallRequest): FileChange[] {
  return request.agents.flatMap((agent) => planAgent(INSTALL_TARGETS[agent], request));
}

function planAgent(target: InstallTarget, request: InstallRequest): FileChange[] {
  const path = resolve(target.settingsPath(request.scope, request.cwd, request.env));
  const before = readText(path);
  // Gemini reads comments in its settings; the others' files are plain JSON.
  const uncommented = target.agent === "gemini" && before !== null ? withoutComments(before) : null;
  const data = parseSettings(path, uncommented ?? before);
  let after: Json;
  try {
    after = withSupervisorHooks(data, request.uninstall ? null : target.groups(request.commandPrefix), target.events);
  } catch (error) {
    if (error instanceof SettingsShapeError) throw new UsageError(`${path}: ${error.message}; not changed`, { cause: error });
    throw error;
  }
  const same = before !== null && JSON.stringify(data) === JSON.stringify(after);
  const hooks: FileChange = { path, kind: "hooks", before, after: `${JSON.stringify(after, null, 2)}\n`, same, ...(uncommented !== null && !same ? { commentsDropped: true } : {}) };
  return target.agent === "codex" ? [hooks, planCodexTrust(path, data, after, target, request.env)] : [hooks];
}

/** Trust for the handlers as they now stand; the trust of the ones they replace goes. */
function planCodexTrust(hooksPath: string, before: Json, after: Json, target: InstallTarget, env: NodeJS.ProcessEnv): FileChange {
  const path = resolve(join(codexHome(env), "config.toml"));
  const text = readText(path);
  try {
    const changed = withTrustedHashes(text ?? "", supervisorTrust(hooksPath, after, target.events), supervisorTrust(hooksPath, before, target.events));
    return { path, kind: "trust", before: text, after: changed, same: changed === (text ?? "") };
  } catch (error) {
    if (error instanceof TomlEditError) throw new UsageError(`${path} ${error.message}; not changed`, { cause: error });
    throw error;
  }
}

function parseSettings(path: string, text: string | null): Json {
  if (text === null || text.trim() === "") return {};
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (${(error as Error).message}); not changed`, { cause: error });
  }
}
