// What supervise reads from each hook's input, as zod schemas: the documentation of the
// protocol as supervise uses it. Every field is optional and unknown fields pass (agents add
// fields release by release); a field of the wrong type is an issue, and is dropped.

import { z } from "zod";

const common = {
  session_id: z.string(),
  cwd: z.string(),
  hook_event_name: z.string(),
  transcript_path: z.string(),
};

export const HOOK_INPUT_SCHEMAS = {
  "session-start": z.looseObject({ ...common, source: z.string() }).partial(),
  "session-end": z.looseObject({ ...common, reason: z.string() }).partial(),
  "pre-tool-use": z
    .looseObject({
      ...common,
      tool_name: z.string(),
      tool_input: z.looseObject({ command: z.string(), run_in_background: z.boolean(), is_background: z.boolean(), description: z.string() }).partial(),
    })
    .partial(),
  prompt: z.looseObject(common).partial(),
  "post-tool-use": z.looseObject({ ...common, tool_name: z.string() }).partial(),
} as const;

/** One "path: message" per field of the wrong type, with the paths to drop. */
export function inputIssues(event: keyof typeof HOOK_INPUT_SCHEMAS, data: unknown): Array<{ path: string[]; message: string }> {
  const result = HOOK_INPUT_SCHEMAS[event].safeParse(data);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
}
