// Merging validated config files over the defaults, with config trust: a project's
// .supervise.json comes with whatever repository was cloned, so it may only narrow what
// supervise ends. Keys that widen it come from the user's file or an explicit one.
// Plain code (no zod): loaded only when a config file changed, with the schema.

import { DEFAULT_CONFIG, type Config } from "./defaults.ts";
import type { ConfigSource } from "./load.ts";
import { tryParseDuration } from "../time/duration.ts";

/** One validated file (its `$schema` dropped), or a legacy file's reap keys. */
export interface Layer {
  source: ConfigSource;
  settings: Record<string, unknown>;
}

/** A project file's key (or one `"!NAME"` entry of it) that was not applied. */
export interface IgnoredKey {
  key: string;
  file: string;
  /** The list entry ignored, for `"!NAME"` in a project's protect/sessionKeep. */
  entry?: string;
}

/** Per leaf key set by a file: the labels of what made its value ("default", "user /path", ...). */
export type Origins = Record<string, string[]>;

export interface Merged {
  config: Config;
  ignored: IgnoredKey[];
  origins: Origins;
}

/** The lists a file adds to (or, trusted, removes from with `"!NAME"`) instead of replacing. */
export const UNION_LISTS: ReadonlySet<string> = new Set(["reap.protect", "reap.sessionKeep"]);

/**
 * Whether a project file may set KEY to VALUE, given the value in effect from the defaults and
 * trusted files. Every key has a rule (test/config/merge.test.ts checks it): a key added
 * without one is refused to projects, the safe side.
 */
export const PROJECT_MAY: Readonly<Record<string, (value: unknown, trusted: unknown) => boolean>> = {
  // How and when, never what is ended.
  "run.grace": always,
  "run.signal": always,
  "run.captureMaxBytes": always,
  // What is reported, never what is ended.
  "run.stallAfter": always,
  "reap.timeoutMs": always,
  "reap.gracefulDegradation": always,
  "reap.grace": always,
  "reap.historySize": always,
  "reap.notifyAbove": always,
  "hooks.reapInterval": always,
  "gc.after": always,
  "gc.keepFinished": always,
  // What is ended: only as the trusted value, or narrower.
  "reap.targets.rg": sameAs,
  "reap.targets.shells": sameAs,
  "reap.tagPattern": sameAs,
  "reap.thresholds.rg": notShorter,
  // Ends commands: a project may only make it longer (with "none" trusted, it cannot set one).
  "run.idleTimeout": notShorter,
  "reap.thresholds.rgTag": notShorter,
  "reap.thresholds.agentShell": notShorter,
  "reap.thresholds.sessionGone": notShorter,
  "run.deadline": notShorter,
  "hooks.deadline": notShorter,
  "hooks.sessionEndKillOn": (value, trusted) => (value as string[]).every((reason) => (trusted as string[]).includes(reason)),
  "run.onOrphan": (value, trusted) => value !== "kill" || trusted === "kill",
  // "allow" would skip the user's own approval of the rewritten command.
  "hooks.preToolUseDecision": (value, trusted) => value !== "allow" || trusted === "allow",
  // The blind-kill guard: a project may only make it stricter (off < ask < deny).
  "hooks.blindKill": (value, trusted) => GUARD_RANK.indexOf(value as string) >= GUARD_RANK.indexOf(trusted as string),
};

const GUARD_RANK = ["off", "ask", "deny"];

function always(): boolean {
  return true;
}

function sameAs(value: unknown, trusted: unknown): boolean {
  return JSON.stringify(value) === JSON.stringify(trusted);
}

/** Validated durations; 0 and none are Infinity, so "no limit" is the longest. */
function notShorter(value: unknown, trusted: unknown): boolean {
  return (tryParseDuration(value as string | number) ?? 0) >= (tryParseDuration(trusted as string | number) ?? Infinity);
}

function isTrusted(source: ConfigSource): boolean {
  return source.kind === "explicit" || source.kind === "user";
}

function labelOf(source: ConfigSource): string {
  return `${source.kind} ${source.path}`;
}

/**
 * The effective config: DEFAULTS, then the trusted files, then project files (only what
 * narrows), then legacy keys that no other file set.
 */
export function mergeLayers(layers: readonly Layer[], defaults: Config = DEFAULT_CONFIG): Merged {
  const config = structuredClone(defaults) as unknown as Record<string, unknown>;
  const ignored: IgnoredKey[] = [];
  const origins: Origins = {};
  const ordered = [...layers.filter((l) => isTrusted(l.source)), ...layers.filter((l) => l.source.kind === "project")];
  let trusted: Record<string, unknown> | null = null;
  for (const layer of ordered) {
    const project = layer.source.kind === "project";
    if (project && !trusted) trusted = structuredClone(config);
    const label = labelOf(layer.source);
    for (const [key, value] of leaves(layer.settings)) {
      if (UNION_LISTS.has(key)) {
        const { list, changed, refused } = addToList(getPath(config, key) as string[], value as string[], !project);
        setPath(config, key, list);
        for (const entry of refused) ignored.push({ key, file: layer.source.path, entry });
        if (changed) origins[key] = [...(origins[key] ?? ["default"]), label];
        continue;
      }
      const may = PROJECT_MAY[key] ?? sameAs;
      if (project && !may(value, getPath(trusted!, key))) {
        ignored.push({ key, file: layer.source.path });
        continue;
      }
      setPath(config, key, value);
      origins[key] = [label];
    }
  }
  // moai-adk's keys fill in only what no newer file set.
  for (const layer of layers.filter((l) => l.source.kind === "legacy")) {
    for (const [key, value] of leaves(layer.settings)) {
      if (origins[key]) continue;
      setPath(config, key, value);
      origins[key] = [labelOf(layer.source)];
    }
  }
  return { config: config as unknown as Config, ignored, origins };
}

/**
 * CURRENT with ENTRIES added; a trusted file's `"!NAME"` removes NAME, anyone else's is
 * refused. Listed both ways, a name stays: the safe side.
 */
function addToList(current: readonly string[], entries: readonly string[], trusted: boolean): { list: string[]; changed: boolean; refused: string[] } {
  const additions = entries.filter((e) => !e.startsWith("!"));
  const removals = entries.filter((e) => e.startsWith("!"));
  const removed = trusted ? removals.map((e) => e.slice(1)).filter((name) => !additions.includes(name)) : [];
  const list = current.filter((name) => !removed.includes(name));
  for (const name of additions) if (!list.includes(name)) list.push(name);
  return { list, changed: additions.length + removed.length > 0, refused: trusted ? [] : removals };
}

/** `[["run.deadline", "5m"], ...]`: every non-object value of a plain object, arrays whole. */
export function leaves(value: unknown, prefix = ""): [string, unknown][] {
  if (!isPlainObject(value)) return prefix ? [[prefix, value]] : [];
  return Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : leaves(inner, prefix ? `${prefix}.${key}` : key)));
}

function getPath(root: Record<string, unknown>, path: string): unknown {
  let at: unknown = root;
  for (const part of path.split(".")) at = isPlainObject(at) ? at[part] : undefined;
  return at;
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let at = root;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(at[part])) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]!] = value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
