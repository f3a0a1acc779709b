// The contract's JSON shapes as zod schemas: command output is validated against these,
// so a renamed or retyped field fails a test rather than a user's script.

import { z } from "zod";
import type { ReapTrigger } from "../../src/reap/history.ts";

const iso = z.iso.datetime();

export const EntrySchema = z.strictObject({
  id: z.string().regex(/^[0-9a-z]{10}$/),
  pid: z.number().int().positive().nullable(),
  pgid: z.number().int().positive().nullable(),
  wrapperPid: z.number().int().positive(),
  state: z.enum(["running", "exited", "killed", "orphaned", "lost", "unknown"]),
  exitCode: z.number().int().nullable(),
  exitStatus: z.number().int().min(0).max(255).nullable(),
  signal: z.string().nullable(),
  reason: z.enum(["deadline", "stalled", "signal", "parent-died", "owner-dead", "overdue", "session-end", "manual", "leftovers"]).nullable(),
  command: z.array(z.string()).min(1),
  cwd: z.string(),
  session: z.string().nullable(),
  name: z.string().nullable(),
  startedAt: iso,
  endedAt: iso.nullable(),
  deadlineAt: iso.nullable(),
  activity: z.enum(["busy", "serving", "quiet", "stalled", "waiting-input", "spinning", "unknown"]).nullable(),
  activitySince: iso.nullable(),
  activityJudgedAt: iso.nullable(),
  cpuPercent: z.number().nonnegative().nullable(),
  rssBytes: z.number().int().nonnegative().nullable(),
  ports: z.array(z.number().int().positive()),
  lastOutputAt: iso.nullable(),
  lastLine: z.string().nullable(),
});

export const EntryListSchema = z.array(EntrySchema);

export const ProcessSchema = z.strictObject({
  pid: z.number().int().positive(),
  ppid: z.number().int().nonnegative(),
  pgid: z.number().int().positive(),
  depth: z.number().int().nonnegative(),
  state: z.string().length(1),
  ageSeconds: z.number().nonnegative(),
  cpuSeconds: z.number().nonnegative(),
  rssBytes: z.number().int().nonnegative().nullable(),
  command: z.string(),
  argv: z.array(z.string()).nullable(),
  via: z.enum(["group", "cookie"]),
  ports: z.array(z.number().int().positive()),
});

/** `supervise ps --json`, as the contract's "Ownership by agent session" gives it. */
export const OwnedProcessListSchema = z.array(
  z.strictObject({
    pid: z.number().int().positive(),
    ppid: z.number().int().nonnegative(),
    pgid: z.number().int().nonnegative(),
    agent: z.string().nullable(),
    session: z.string().nullable(),
    ownerPid: z.number().int().positive().nullable(),
    owner: z.enum(["alive", "gone", "unknown"]),
    ledgerId: z.string().regex(/^[0-9a-z]{10}$/).nullable(),
    orphaned: z.boolean(),
    activity: z.enum(["busy", "serving", "quiet", "stalled", "waiting-input", "spinning", "unknown"]),
    activitySince: iso.nullable(),
    cpuPercent: z.number().nonnegative(),
    ports: z.array(z.number().int().positive()),
    lastOutputAt: iso.nullable(),
    state: z.string().length(1),
    ageSeconds: z.number().int().nonnegative(),
    cpuSeconds: z.number().nonnegative(),
    rssBytes: z.number().int().nonnegative().nullable(),
    command: z.string(),
    argv: z.array(z.string()).nullable(),
    keep: z.boolean(),
    keptBy: z.enum(["keep-var", "session-keep", "protect", "unreadable", "under-kept"]).nullable(),
    uid: z.number().int().nonnegative().nullable(),
    pidNamespace: z.enum(["same", "other", "unreadable"]),
  }),
);

/** Every object document carries it first (src/cli/output.ts); the contract's arrays do not. */
const schemaVersion = z.literal(1);

export const DetailSchema = EntrySchema.extend({
  schemaVersion,
  durationMs: z.number().int().nonnegative(),
  graceMs: z.number().int().nonnegative().nullable(),
  firstSignal: z.string(),
  keepOrphaned: z.boolean(),
  bootId: z.string(),
  startTicks: z.number().int().nullable(),
  wrapperStartTicks: z.number().int().nullable(),
  output: z.string().nullable(),
  processes: z.array(ProcessSchema),
});

export const KillResultSchema = z.array(
  z.strictObject({
    id: z.string(),
    outcome: z.enum(["terminated", "killed", "gone", "failed", "already-ended"]),
    signal: z.string().nullable(),
    durationMs: z.number().int().nonnegative(),
    command: z.array(z.string()),
  }),
);

/** The triggers a sweep records (src/reap/history.ts), exactly: SessionEnd records no sweep run. */
const TRIGGERS = ["manual", "session-start", "pre-tool-use"] as const satisfies readonly ReapTrigger[];
// A trigger the code can write but the contract does not list fails type-checking here.
const everyTriggerListed: [Exclude<ReapTrigger, (typeof TRIGGERS)[number]>] extends [never] ? true : never = true;
void everyTriggerListed;

const counts = z.strictObject({ terminated: z.number(), killed: z.number(), gone: z.number(), failed: z.number(), zombies: z.number() });

export const StatsSchema = z.strictObject({
  schemaVersion,
  runs: z.number().int().nonnegative(),
  dryRuns: z.number().int().nonnegative(),
  totalCleaned: z.number().int().nonnegative(),
  averagePerRun: z.number().nonnegative(),
  mostCommonReason: z.string().nullable(),
  reasons: z.record(z.string(), z.number().int().positive()),
  perRun: z.array(
    z.strictObject({
      id: z.number().int(),
      at: iso,
      trigger: z.enum(TRIGGERS),
      session: z.string().nullable(),
      dryRun: z.boolean(),
      scanned: z.number().int().nonnegative(),
      durationMs: z.number().int().nonnegative(),
      cleaned: z.number().int().nonnegative(),
      counts,
      errors: z.number().int().nonnegative(),
    }),
  ),
});

export const GcSchema = z.strictObject({
  schemaVersion,
  markedLost: z.array(z.string()),
  removed: z.array(z.string()),
  strayOutputs: z.number().int().nonnegative(),
});

/** Parses CLI stdout as JSON and validates it; the zod error names the field on a mismatch. */
export function parseJson<T>(schema: z.ZodType<T>, stdout: string): T {
  return schema.parse(JSON.parse(stdout));
}

/** A PreToolUse hook input for a Bash call, as Claude Code sends it. */
export const preToolUseCall = (toolInput: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  session_id: "sess-1",
  cwd: "/proj",
  hook_event_name: "PreToolUse",
  tool_name: "Bash",
  tool_input: toolInput,
  ...extra,
});

/** The rewrite answer: the whole tool_input back, with the command changed. */
export const PreToolUseOutputSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({
    hookEventName: z.literal("PreToolUse"),
    updatedInput: z.looseObject({ command: z.string(), run_in_background: z.literal(true) }),
    permissionDecision: z.enum(["ask", "allow"]).optional(),
    permissionDecisionReason: z.string().optional(),
  }),
});

/** A BeforeTool hook input for run_shell_command, as Gemini CLI 0.61.0 sends it. */
export const beforeToolCall = (toolInput: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  session_id: "gem-1",
  transcript_path: "/home/u/.gemini/tmp/proj/chats/session.jsonl",
  cwd: "/proj",
  hook_event_name: "BeforeTool",
  timestamp: "2026-12-01T10:00:00.000Z",
  tool_name: "run_shell_command",
  tool_input: toolInput,
  ...extra,
});

/** Gemini's rewrite answer: `tool_input` replaces the arguments, so all of them come back. */
export const BeforeToolOutputSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({
    hookEventName: z.literal("BeforeTool"),
    tool_input: z.looseObject({ command: z.string(), is_background: z.literal(true) }),
  }),
});

/** The SessionStart answer every supported agent takes. */
export const SessionStartOutputSchema = z.strictObject({
  hookSpecificOutput: z.strictObject({ hookEventName: z.literal("SessionStart"), additionalContext: z.string().optional() }),
  systemMessage: z.string().optional(),
});
