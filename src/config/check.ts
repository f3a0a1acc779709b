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
/** An object with only these keys, each optional. */
const strict = (shape: Record<string, Check>): Check => (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.entries(v).every(([key, value]) => Object.hasOwn(shape, key) && shape[key]!(value));

export const fitsConfigShape: Check = strict({
  $schema: string,
  run: strict({ deadline: duration, grace: duration, signal, onOrphan: oneOf("kill", "keep"), captureMaxBytes: int(1024), stallAfter: duration, idleTimeout: duration }),
  reap: strict({
    timeoutMs: int(1),
    gracefulDegradation: boolean,
    grace: duration,
    historySize: int(1, 10_000),
    notifyAbove: int(0),
    thresholds: strict({ rg: duration, rgTag: duration, agentShell: duration, sessionGone: duration }),
    targets: strict({ rg: list(name), shells: list(name) }),
    tagPattern: regex,
    protect: list(safetyName),
    sessionKeep: list(safetyName),
  }),
  hooks: strict({
    sessionEndKillOn: list(oneOf("clear", "resume", "logout", "prompt_input_exit", "other", "exit")),
    preToolUseDecision: oneOf("none", "ask", "allow"),
    reapInterval: duration,
    deadline: duration,
    blindKill: oneOf("ask", "deny", "off"),
  }),
  gc: strict({ after: duration, keepFinished: int(0) }),
});
