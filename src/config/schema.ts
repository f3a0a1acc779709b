// The config file's schema. Every key is optional; unknown keys are errors.
// Loaded lazily: zod is heavy, so only a changed config file pays for it.

import { z } from "zod";
import { DURATION_PATTERN, tryParseDuration } from "../time/duration.ts";
import { tryParseSignal } from "../proc/signals.ts";
import { didYouMean } from "../text/nearest.ts";

const DURATION_EXAMPLES = "examples: 90, 500ms, 5m, 2h, 1d, none";
const duration = z
  .union([z.string().regex(new RegExp(DURATION_PATTERN), { message: "invalid duration" }), z.number().nonnegative({ message: "invalid duration" })], { message: "invalid duration" })
  .refine((value) => tryParseDuration(value) !== null, { message: "invalid duration" })
  .describe("a duration: seconds as a number, or a string like 500ms, 90s, 5m, 2h, 1d; 0 or none for no limit");

const signal = z
  .string({ message: "invalid signal" })
  .refine((value) => tryParseSignal(value) !== null, { message: "invalid signal" })
  .describe("a signal: TERM, INT, HUP, KILL, ... (with or without SIG) or its number");

const regex = z.string().refine(
  (value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

/** Names that replace the built-in list (reap.targets): "!NAME" would be read as removing one. */
const names = z.array(
  z.string().min(1).refine((name) => !name.startsWith("!"), { message: '"!NAME" removes a built-in entry only from reap.protect and reap.sessionKeep; a targets list replaces the built-in one' }),
);

/** Added to the built-in list; "!NAME" (in the user's or an explicit file) removes a built-in entry. */
const safetyNames = z.array(z.string().min(1).refine((name) => name !== "!", { message: '"!" names nothing: "!NAME" removes the built-in entry NAME' }));

export const ConfigFileSchema = z.strictObject({
  $schema: z.string().optional(),
  run: z
    .strictObject({
      deadline: duration.optional(),
      grace: duration.optional(),
      signal: signal.optional(),
      onOrphan: z.enum(["kill", "keep"]).optional(),
      captureMaxBytes: z.number().int().min(1024).describe("--capture keeps at most this many bytes per entry, the newest").optional(),
      stallAfter: duration.describe("no CPU or output progress and no listening socket this long: the command is reported stalled").optional(),
      idleTimeout: duration.describe("no progress this long (stalled or waiting for input, never serving) ends the command; none: only tell").optional(),
    })
    .optional(),
  reap: z
    .strictObject({
      timeoutMs: z.number().int().positive().optional(),
      gracefulDegradation: z.boolean().optional(),
      grace: duration.optional(),
      historySize: z.number().int().min(1).max(10_000).optional(),
      notifyAbove: z.number().int().nonnegative().optional(),
      thresholds: z
        .strictObject({ rg: duration.optional(), rgTag: duration.optional(), agentShell: duration.optional(), sessionGone: duration.optional() })
        .optional(),
      targets: z.strictObject({ rg: names.optional(), shells: names.optional() }).optional(),
      tagPattern: regex.optional(),
      protect: safetyNames.describe("command-line substrings never ended, added to the built-in ones; \"!NAME\" in the user's file removes one").optional(),
      sessionKeep: safetyNames
        .describe("process names (comm or argv[0]'s base name) a session may leave running for the user, added to the built-in ones; \"!NAME\" in the user's file removes one")
        .optional(),
    })
    .optional(),
  hooks: z
    .strictObject({
      sessionEndKillOn: z.array(z.enum(["clear", "resume", "logout", "prompt_input_exit", "other", "exit"])).optional(),
      preToolUseDecision: z.enum(["none", "ask", "allow"]).optional(),
      reapInterval: duration.describe("the PreToolUse hook starts a background sweep at most this often (0 or none: never)").optional(),
      deadline: duration.describe("the deadline of an agent's wrapped background command (none: its session bounds it)").optional(),
      blindKill: z.enum(["ask", "deny", "off"]).optional(),
    })
    .optional(),
  gc: z
    .strictObject({
      after: duration.describe("finished entries older than this are removed (0 or none: never by age)").optional(),
      keepFinished: z.number().int().nonnegative().describe("at most this many finished entries are kept, the newest").optional(),
    })
    .optional(),
});

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/**
 * The first problem, as one line in the CLI's own words: `invalid duration for run.deadline:
 * "5x" (examples: …)`, `unknown key 'run.dedline' (did you mean 'run.deadline'?)`, never
 * zod's or a regular expression's text.
 */
export function describeIssues(error: z.ZodError, data: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  const value = JSON.stringify(valueAt(data, issue.path)) ?? "nothing";
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(issue.path);
    const keys = issue.keys.map((key) => `'${path ? `${path}.${key}` : key}'${didYouMean(key, known).replace(/'(.*)'/, `'${path ? `${path}.` : ""}$1'`)}`);
    return `unknown key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`;
  }
  if (issue.message === "invalid duration") return `invalid duration for ${path}: ${value} (${DURATION_EXAMPLES})`;
  if (issue.message === "invalid signal") return `invalid signal for ${path}: ${value} (examples: TERM, INT, KILL, 15)`;
  if (issue.code === "invalid_type") return `invalid ${path || "config"}: ${value} (expected ${article(issue.expected)})`;
  if (issue.code === "invalid_value") return `invalid ${path}: ${value} (one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")})`;
  if (issue.code === "too_small" && issue.origin === "string") return `invalid ${path}: ${value} (empty)`;
  if (issue.code === "too_small" || issue.code === "too_big") return `invalid ${path}: ${value} (${issue.code === "too_small" ? "at least" : "at most"} ${String(issue.code === "too_small" ? issue.minimum : issue.maximum)})`;
  return `invalid ${path || "config"}: ${value} (${issue.message})`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let at = data;
  for (const key of path) at = at !== null && typeof at === "object" ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

/** The keys the schema knows at `path` (an object's, through optional wrappers). */
function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = ConfigFileSchema;
  for (const key of path) {
    while (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
    if (!(schema instanceof z.ZodObject)) return [];
    schema = (schema.shape as Record<string, z.ZodType>)[String(key)] ?? z.never();
  }
  while (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

export function validateConfigFile(data: unknown): { ok: true; value: ConfigFile } | { ok: false; message: string } {
  const result = ConfigFileSchema.safeParse(data);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: describeIssues(result.error, data) };
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(ConfigFileSchema);
}
