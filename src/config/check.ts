// The config file's shape checked without zod, as the hook input is (hooks/input.ts): a
// wrapper started on a cold config cache must not keep zod resident while it waits. A file
// that fails here goes to schema.ts, whose zod schema decides and words the error; a test
// holds the two to the same answer on every case it has.

import { DURATION_PATTERN, tryParseDuration } from "../time/duration.ts";
import { tryParseSignal } from "../proc/signals.ts";

type Check = (value: unknown) => boolean;

const DURATION_RE = new RegExp(DURATION_PATTERN);

const string: Check = (v) => typeof v === "string";
const boolean: Check = (v) => typeof v === "boolean";
const duration: Check = (v) => ((typeof v === "string" && DURATION_RE.test(v)) || (typeof v === "number" && Number.isFinite(v) && v >= 0)) && tryParseDuration(v as string | number) !== null;
const signal: Check = (v) => typeof v === "string" && tryParseSignal(v) !== null;
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) => typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max;
const oneOf = (...values: string[]): Check => (v) => typeof v === "string" && values.includes(v);
const list = (item: Check): Check => (v) => Array.isArray(v) && v.every(item);
const regex: Check = (v) => {
  if (typeof v !== "string") return false;
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
};
/** Names that replace a built-in list: "!NAME" is refused there. */
const name: Check = (v) => typeof v === "string" && v.length > 0 && !v.startsWith("!");
/** Names added to a built-in list; "!NAME" removes one, a lone "!" names nothing. */
const safetyName: Check = (v) => typeof v === "string" && v.length > 0 && v !== "!";
/** A section: an object with only these keys, each optional. */
interface Shape {
  [key: string]: Check | Shape;
}

const SHAPE: Shape = {
  $schema: string,
  run: { deadline: duration, grace: duration, signal, onOrphan: oneOf("kill", "keep"), captureMaxBytes: int(1024), stallAfter: duration, idleTimeout: duration },
  reap: {
    timeoutMs: int(1),
    gracefulDegradation: boolean,
    grace: duration,
    historySize: int(1, 10_000),
    notifyAbove: int(0),
    thresholds: { rg: duration, rgTag: duration, agentShell: duration, sessionGone: duration },
    targets: { rg: list(name), shells: list(name) },
    tagPattern: regex,
    protect: list(safetyName),
    sessionKeep: list(safetyName),
  },
  hooks: {
    sessionEndKillOn: list(oneOf("clear", "resume", "logout", "prompt_input_exit", "other", "exit")),
    preToolUseDecision: oneOf("none", "ask", "allow"),
    reapInterval: duration,
    deadline: duration,
    blindKill: oneOf("ask", "deny", "off"),
  },
  gc: { after: duration, keepFinished: int(0) },
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function fits(shape: Shape, value: unknown): boolean {
  if (!isObject(value)) return false;
  return Object.entries(value).every(([key, v]) => {
    if (!Object.hasOwn(shape, key)) return false;
    const rule = shape[key]!;
    return typeof rule === "function" ? rule(v) : fits(rule, v);
  });
}

/** The file's keys in the schema's order, as zod gives them back: the ignored-key lines follow it. */
function ordered(shape: Shape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(shape)) {
    if (!Object.hasOwn(value, key)) continue;
    out[key] = typeof rule === "function" ? value[key] : ordered(rule, value[key] as Record<string, unknown>);
  }
  return out;
}

/** The file as zod would give it back when it fits the schema (keys in the schema's order); null when it does not. */
export function checkedConfig(data: unknown): Record<string, unknown> | null {
  return fits(SHAPE, data) ? ordered(SHAPE, data as Record<string, unknown>) : null;
}

export function fitsConfigShape(data: unknown): boolean {
  return fits(SHAPE, data);
}
