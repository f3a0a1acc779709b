// Whether the agent will run a project's hooks at all: both Gemini CLI and Codex skip the
// hooks of a folder the user has not trusted. Trusting one is the user's decision, so
// `install --project` only says how, in one line, when the folder is not trusted yet.

import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { codexHome, geminiHome } from "./agents.ts";

/** Gemini's rule (0.61.0): the longest trust rule whose folder holds cwd decides; TRUST_PARENT names a folder's parent. */
export function geminiTrusts(cwd: string, rules: Record<string, unknown>): boolean {
  let longest = -1;
  let level: unknown;
  for (const [path, trust] of Object.entries(rules)) {
    const folder = trust === "TRUST_PARENT" ? dirname(path) : path;
    if (isWithin(real(folder), cwd) && path.length > longest) [longest, level] = [path.length, trust];
  }
  return level === "TRUST_FOLDER" || level === "TRUST_PARENT";
}

export function geminiTrustHint(cwd: string, env: NodeJS.ProcessEnv): string | null {
  if (env.GEMINI_CLI_TRUST_WORKSPACE === "true") return null;
  const dir = geminiHome(env);
  const settings = readJson(join(dir, "settings.json"));
  if ((settings?.security as { folderTrust?: { enabled?: unknown } } | undefined)?.folderTrust?.enabled === false) return null;
  const file = env.GEMINI_CLI_TRUSTED_FOLDERS_PATH || join(dir, "trustedFolders.json");
  if (geminiTrusts(real(cwd), readJson(file) ?? {})) return null;
  return `Gemini CLI runs no hooks in ${cwd} until you trust the folder (and \`gemini -p\` refuses to start there): choose "Trust folder" when gemini asks, or add "${cwd}": "TRUST_FOLDER" to ${file}`;
}

/** Codex trusts a project by `[projects."<dir>"] trust_level = "trusted"` in the user's config.toml, for the dir or one above it. */
export function codexTrustHint(cwd: string, env: NodeJS.ProcessEnv): string | null {
  const config = join(codexHome(env), "config.toml");
  let projects: Record<string, { trust_level?: unknown }> = {};
  try {
    if (existsSync(config)) projects = ((Bun.TOML.parse(readFileSync(config, "utf8")) as { projects?: typeof projects }).projects ?? {});
  } catch {
    // An unreadable config is reported by the trust step itself.
  }
  for (let dir = real(cwd); ; dir = dirname(dir)) {
    if (projects[dir]?.trust_level === "trusted") return null;
    if (dirname(dir) === dir) break;
  }
  return `Codex runs this project's hooks only once you trust the project: run codex in ${cwd} and trust it, or add [projects."${cwd}"] trust_level = "trusted" to ${config}`;
}

function isWithin(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
