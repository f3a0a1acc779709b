// Finding, validating and merging config files.
//
// Order: `--config FILE`, else $SUPERVISE_CONFIG, else the nearest .supervise.json from
// the cwd upward merged over the user file. A legacy .moai/config.json supplies
// reap.timeoutMs / reap.gracefulDegradation when nothing newer sets them.
//
// Validation needs zod, which is heavy. `run` is on the hot path, so a validated result
// is cached in the state dir, keyed by each source's path, inode, size, mtime and ctime:
// only a changed file pays for zod again.

import { existsSync, readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { DEFAULT_CONFIG, type Config } from "./defaults.ts";
import { ensureStateDir, homeDirectory, under } from "../state-dir.ts";

export interface ConfigSource {
  path: string;
  kind: "explicit" | "user" | "project" | "legacy";
}

export interface LoadOptions {
  /** `--config FILE`. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the validated-config cache lives; no caching without it. */
  stateDir?: string;
}

export interface LoadedConfig {
  config: Config;
  sources: ConfigSource[];
}

const CACHE_FILE = "config-cache.json";
const CACHE_SLOTS = 8;

export function findConfigSources(options: LoadOptions = {}): ConfigSource[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sources: ConfigSource[] = [];
  const explicit = options.configPath ?? (env.SUPERVISE_CONFIG || undefined);
  if (explicit !== undefined) {
    sources.push({ path: absolute(cwd, explicit), kind: "explicit" });
  } else {
    const configHome = env.XDG_CONFIG_HOME || under(env.HOME || homeDirectory(), ".config");
    const user = under(configHome, "supervise/config.json");
    if (existsSync(user)) sources.push({ path: user, kind: "user" });
    const project = findUpward(cwd, ".supervise.json");
    if (project) sources.push({ path: project, kind: "project" });
  }
  const legacy = findUpward(cwd, ".moai/config.json");
  if (legacy) sources.push({ path: legacy, kind: "legacy" });
  return sources;
}

function findUpward(start: string, name: string): string | null {
  for (let dir = absolute(process.cwd(), start); ; dir = dir.slice(0, dir.lastIndexOf("/")) || "/") {
    const candidate = under(dir, name);
    if (existsSync(candidate)) return candidate;
    if (dir === "/") return null;
  }
}

/**
 * `p` as an absolute, normalised path. The working directory as the kernel reports it is
 * one already; anything else (a hook's cwd, a relative --config) goes through node:path,
 * which would otherwise stay loaded in every waiting wrapper.
 */
function absolute(base: string, p: string): string {
  if (p === process.cwd()) return p;
  return (require("node:path") as typeof import("node:path")).resolve(base, p);
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const sources = findConfigSources(options);
  if (sources.length === 0) return { config: DEFAULT_CONFIG, sources };

  const key = cacheKey(sources);
  const cached = key && options.stateDir ? readCache(options.stateDir, key) : null;
  if (cached) return { config: cached, sources };

  const config = await validateAndMerge(sources);
  if (key && options.stateDir) writeCache(options.stateDir, key, config);
  return { config, sources };
}

async function validateAndMerge(sources: ConfigSource[]): Promise<Config> {
  const { validateConfigFile } = await import("./schema.ts");
  let merged: unknown = structuredClone(DEFAULT_CONFIG);
  let legacy: Partial<Config["reap"]> = {};
  const setByFiles = new Set<string>();
  for (const source of sources) {
    const data = readJson(source);
    if (source.kind === "legacy") {
      legacy = legacyReapKeys(data);
      continue;
    }
    const checked = validateConfigFile(data);
    if (!checked.ok) throw new UsageError(`config ${source.path}: ${checked.message}`);
    const { $schema: _ignored, ...settings } = checked.value;
    for (const key of ["timeoutMs", "gracefulDegradation"] as const) if (settings.reap?.[key] !== undefined) setByFiles.add(key);
    merged = deepMerge(merged, settings);
  }
  const config = merged as Config;
  for (const [key, value] of Object.entries(legacy)) {
    if (!setByFiles.has(key)) (config.reap as Record<string, unknown>)[key] = value;
  }
  return config;
}

function readJson(source: ConfigSource): unknown {
  let text: string;
  try {
    text = readFileSync(source.path, "utf8");
  } catch (error) {
    throw new UsageError(`config ${source.path}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${source.path}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** moai-adk's hooks.timeout_ms / hooks.graceful_degradation; values of the wrong type are ignored (not our file). */
export function legacyReapKeys(data: unknown): Partial<Config["reap"]> {
  const hooks = (data as { hooks?: Record<string, unknown> } | null)?.hooks;
  const out: Partial<Config["reap"]> = {};
  if (!hooks || typeof hooks !== "object") return out;
  const timeout = hooks.timeout_ms;
  if (typeof timeout === "number" && Number.isInteger(timeout) && timeout > 0) out.timeoutMs = timeout;
  if (typeof hooks.graceful_degradation === "boolean") out.gracefulDegradation = hooks.graceful_degradation;
  return out;
}

/** Objects merge key by key; arrays and scalars from `over` replace. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cacheKey(sources: ConfigSource[]): string | null {
  // A cache written by a version with other defaults (or other keys) is not this one's.
  const parts: unknown[] = [DEFAULT_CONFIG];
  for (const source of sources) {
    try {
      const s = statSync(source.path);
      parts.push([source.kind, source.path, s.ino, s.size, s.mtimeMs, s.ctimeMs]);
    } catch {
      return null; // A missing explicit file: validate, which reports it.
    }
  }
  return JSON.stringify(parts);
}

interface CacheSlot {
  key: string;
  config: Config;
}

function readCacheSlots(stateDir: string): CacheSlot[] {
  try {
    const data = JSON.parse(readFileSync(under(stateDir, CACHE_FILE), "utf8"));
    return Array.isArray(data?.slots) ? data.slots : [];
  } catch {
    return [];
  }
}

function readCache(stateDir: string, key: string): Config | null {
  return readCacheSlots(stateDir).find((slot) => slot.key === key)?.config ?? null;
}

function writeCache(stateDir: string, key: string, config: Config): void {
  const slots = [{ key, config }, ...readCacheSlots(stateDir).filter((slot) => slot.key !== key)].slice(0, CACHE_SLOTS);
  const path = under(stateDir, CACHE_FILE);
  try {
    // The first run of all may come before anything else created the state dir.
    ensureStateDir(stateDir);
    // Write then rename, so a concurrent reader never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ slots }), { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // Caching is an optimisation only.
  }
}
