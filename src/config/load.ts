// Finding, validating and merging config files.
//
// Order: `--config FILE`, else $SUPERVISE_CONFIG, else the nearest .supervise.json from
// the cwd upward merged over the user file. A legacy .moai/config.json supplies
// reap.timeoutMs / reap.gracefulDegradation when nothing newer sets them. A project's
// file may only narrow what supervise ends (merge.ts); what it tried to widen is ignored,
// with one stderr line per key, written here.
//
// Validation needs zod, which is heavy. `run` is on the hot path, so a validated result
// is cached in the state dir, keyed by each source's path, inode, size, mtime and ctime:
// only a changed file pays for zod again.

import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { workingDirectory } from "../cwd.ts";
import { DEFAULT_CONFIG, type Config } from "./defaults.ts";
import type { IgnoredKey, Layer, Origins } from "./merge.ts";
import type { ConfigFile } from "./schema.ts";
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
  /** Do not write the ignored-key lines to stderr (the caller shows them itself). */
  quiet?: boolean;
  /** Only the files the user chose (explicit or user): no project file is looked for. */
  trustedOnly?: boolean;
}

export interface LoadedConfig {
  config: Config;
  sources: ConfigSource[];
  /** A project file's widening keys, not applied. */
  ignored: IgnoredKey[];
  /** One line per ignored key, as written to stderr (without the `supervise: ` prefix). */
  warnings: string[];
  /** Per leaf key a file set: where its value came from. */
  origins: Origins;
}

const CACHE_FILE = "config-cache.json";
const CACHE_SLOTS = 8;
// Part of every cache key: a slot merged by other trust rules (or none) is not this one's.
const CACHE_FORMAT = "trust-1";

export function findConfigSources(options: LoadOptions = {}): ConfigSource[] {
  const env = options.env ?? process.env;
  // A removed cwd has no project file below it; its recorded path still leads upward.
  const here = workingDirectory().path;
  const cwd = options.cwd === undefined ? here : absolute(here, options.cwd);
  const sources: ConfigSource[] = [];
  const explicit = options.configPath ?? (env.SUPERVISE_CONFIG || undefined);
  if (explicit !== undefined) {
    sources.push({ path: absolute(cwd, explicit), kind: "explicit" });
  } else {
    const configHome = env.XDG_CONFIG_HOME || under(env.HOME || homeDirectory(), ".config");
    const user = under(configHome, "supervise/config.json");
    if (existsSync(user)) sources.push({ path: user, kind: "user" });
    const project = options.trustedOnly ? null : findUpward(cwd, ".supervise.json");
    if (project) sources.push({ path: project, kind: "project" });
  }
  if (options.trustedOnly) return sources;
  const legacy = findUpward(cwd, ".moai/config.json");
  if (legacy) sources.push({ path: legacy, kind: "legacy" });
  return sources;
}

/** START is absolute and normalised. */
function findUpward(start: string, name: string): string | null {
  for (let dir = start; ; dir = dir.slice(0, dir.lastIndexOf("/")) || "/") {
    const candidate = under(dir, name);
    if (existsSync(candidate)) return candidate;
    if (dir === "/") return null;
  }
}

/** `p` as an absolute, normalised path. BASE is absolute, so resolve never asks for process.cwd(), which throws when the cwd was removed. */
function absolute(base: string, p: string): string {
  return p === base ? p : resolve(base, p);
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const sources = findConfigSources(options);
  if (sources.length === 0) return { config: DEFAULT_CONFIG, sources, ignored: [], warnings: [], origins: {} };

  const key = cacheKey(sources);
  let merged = key && options.stateDir ? readCache(options.stateDir, key) : null;
  if (!merged) {
    merged = await validateAndMerge(sources);
    if (key && options.stateDir) writeCache(options.stateDir, { key, ...merged });
  }
  const warnings = merged.ignored.map(ignoredLine);
  // The one place these lines are written, so a cache hit says them as a fresh merge does.
  if (!options.quiet) for (const line of warnings) process.stderr.write(`supervise: ${line}\n`);
  return { ...merged, sources, warnings };
}

/** `ignoring KEY in FILE: ...`, the one stderr line per ignored key (without the `supervise: ` prefix). */
export function ignoredLine(ignored: IgnoredKey): string {
  const what = ignored.entry === undefined ? ignored.key : `${JSON.stringify(ignored.entry)} in ${ignored.key}`;
  return `ignoring ${what} in ${ignored.file}: a project's config may only narrow what supervise ends`;
}

interface MergedConfig {
  config: Config;
  ignored: IgnoredKey[];
  origins: Origins;
}

async function validateAndMerge(sources: ConfigSource[]): Promise<MergedConfig> {
  const [{ checkedConfig }, { mergeLayers }] = await Promise.all([import("./check.ts"), import("./merge.ts")]);
  // zod only for a file the cheap check refuses: it decides, and words the error.
  const validateConfigFile = async (data: unknown) => {
    const checked = checkedConfig(data);
    return checked !== null ? { ok: true as const, value: checked as ConfigFile } : (await import("./schema.ts")).validateConfigFile(data);
  };
  const layers: Layer[] = [];
  for (const source of sources) {
    const data = readJson(source);
    if (source.kind === "legacy") {
      layers.push({ source, settings: { reap: legacyReapKeys(data) } });
      continue;
    }
    const checked = await validateConfigFile(data);
    if (!checked.ok) throw new UsageError(`config ${source.path}: ${checked.message}`);
    const { $schema: _ignored, ...settings } = checked.value;
    layers.push({ source, settings });
  }
  return mergeLayers(layers);
}

function readJson(source: ConfigSource): unknown {
  let text: string;
  try {
    text = readRegularFile(source.path);
  } catch (error) {
    throw new UsageError(`config ${source.path}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config ${source.path}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A file's text, only when it is a regular file: opened without blocking (a FIFO with no
 * writer would hold the read, and so `run` and every hook, for ever), then checked.
 */
export function readRegularFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`${stat.isFIFO() ? "a FIFO" : stat.isDirectory() ? "a directory" : "not a file"}, not a regular file`), { code: "ENOTREG" });
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
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

function cacheKey(sources: ConfigSource[]): string | null {
  // A cache written by a version with other defaults (or other keys) is not this one's.
  const parts: unknown[] = [CACHE_FORMAT, DEFAULT_CONFIG];
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

interface CacheSlot extends MergedConfig {
  key: string;
}

function readCacheSlots(stateDir: string): CacheSlot[] {
  try {
    const data = JSON.parse(readRegularFile(under(stateDir, CACHE_FILE)));
    return Array.isArray(data?.slots) ? data.slots : [];
  } catch {
    return [];
  }
}

function readCache(stateDir: string, key: string): MergedConfig | null {
  const slot = readCacheSlots(stateDir).find((s) => s?.key === key);
  if (!slot?.config || !Array.isArray(slot.ignored) || !slot.origins) return null;
  return { config: slot.config, ignored: slot.ignored, origins: slot.origins };
}

function writeCache(stateDir: string, slot: CacheSlot): void {
  const slots = [slot, ...readCacheSlots(stateDir).filter((s) => s?.key !== slot.key)].slice(0, CACHE_SLOTS);
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
