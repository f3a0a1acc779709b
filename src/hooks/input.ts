// Reading a hook's JSON from stdin. Hooks never fail the agent: malformed or empty input
// becomes an empty object, a field of the wrong type is dropped, and either is one note for
// stderr. The fields and their types are the zod schemas of input-schema.ts; zod is loaded
// only when the cheap check below finds a field of the wrong type.

export type HookEvent = "session-start" | "session-end" | "pre-tool-use" | "prompt" | "post-tool-use";

export interface HookInput {
  data: Record<string, unknown>;
  /** Why the input could not be used as given; null when it was fine. */
  problem: string | null;
  /** Fields dropped for their type ("tool_input.command"). */
  dropped: string[];
}

type FieldType = "string" | "boolean" | "object";

/** The schemas' fields as a table, for the check every call makes (a test holds them equal). */
export const HOOK_INPUT_FIELDS: Record<HookEvent, Record<string, FieldType>> = {
  "session-start": { session_id: "string", cwd: "string", hook_event_name: "string", transcript_path: "string", source: "string" },
  "session-end": { session_id: "string", cwd: "string", hook_event_name: "string", transcript_path: "string", reason: "string" },
  "pre-tool-use": {
    session_id: "string",
    cwd: "string",
    hook_event_name: "string",
    transcript_path: "string",
    tool_name: "string",
    tool_input: "object",
    "tool_input.command": "string",
    "tool_input.run_in_background": "boolean",
    "tool_input.is_background": "boolean",
    "tool_input.description": "string",
  },
  prompt: { session_id: "string", cwd: "string", hook_event_name: "string", transcript_path: "string" },
  "post-tool-use": { session_id: "string", cwd: "string", hook_event_name: "string", transcript_path: "string", tool_name: "string" },
};

/**
 * Claude Code writes the input and closes stdin at once; a runner that leaves it open must
 * not hold the hook (and the agent's tool call) until the hook's own timeout.
 */
export const INPUT_TIMEOUT_MS = 2_000;

/** No hook input supervise reads is near this; more is refused. */
export const INPUT_MAX_BYTES = 4 * 1024 * 1024;

export async function readHookInput(event: HookEvent, read: () => Promise<string> = () => readStdin(INPUT_MAX_BYTES), timeoutMs = INPUT_TIMEOUT_MS): Promise<HookInput> {
  let text: string;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no end of input within ${timeoutMs} ms`)), timeoutMs);
    });
    text = await Promise.race([read(), timedOut]);
  } catch (error) {
    return { data: {}, problem: `cannot read hook input: ${(error as Error).message}`, dropped: [] };
  } finally {
    clearTimeout(timer);
  }
  if (text.trim() === "") return { data: {}, problem: "empty hook input", dropped: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { data: {}, problem: "hook input is not valid JSON", dropped: [] };
  }
  if (!isObject(data)) return { data: {}, problem: "hook input is not a JSON object", dropped: [] };
  if (!hasMistypedField(data, HOOK_INPUT_FIELDS[event])) return { data, problem: null, dropped: [] };
  return dropMistyped(event, data);
}

/**
 * Stdin as text, or an error when it held more than `limit` bytes. Read whole first: a
 * stream's chunks cost every hook call more (docs/performance.md, the PreToolUse hook).
 */
export async function readStdin(limit: number, read: () => Promise<string> = () => Bun.stdin.text()): Promise<string> {
  const text = await read();
  // UTF-8 takes at least one byte per UTF-16 unit and at most three: count only when it can matter.
  if (text.length > limit || (text.length * 3 > limit && Buffer.byteLength(text) > limit)) throw new Error(`more than ${limit} bytes`);
  return text;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a field the table names is present with another type. */
export function hasMistypedField(data: Record<string, unknown>, fields: Record<string, FieldType>): boolean {
  for (const [path, type] of Object.entries(fields)) {
    const value = valueAt(data, path.split("."));
    if (value === undefined) continue;
    if (type === "object" ? !isObject(value) : typeof value !== type) return true;
  }
  return false;
}

function valueAt(data: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** The slow path: zod names each field of the wrong type, and those fields are dropped. */
async function dropMistyped(event: HookEvent, data: Record<string, unknown>): Promise<HookInput> {
  const { inputIssues } = await import("./input-schema.ts");
  const issues = inputIssues(event, data);
  const kept = structuredClone(data);
  for (const { path } of issues) {
    const parent = path.length > 1 ? valueAt(kept, path.slice(0, -1)) : kept;
    if (isObject(parent)) delete parent[path.at(-1)!];
  }
  const dropped = issues.map((issue) => issue.path.join("."));
  const named = issues.map((issue) => `${issue.path.join(".")} (${issue.message.replace(/^Invalid input: /, "")})`);
  return { data: kept, problem: `dropped hook input field${named.length === 1 ? "" : "s"} of the wrong type: ${named.join(", ")}`, dropped };
}

export function stringField(data: Record<string, unknown>, key: string): string | null {
  const value = data[key];
  return typeof value === "string" && value !== "" ? value : null;
}
