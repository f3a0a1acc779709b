// Hook input: the cheap field table is the zod schemas' fields, and hostile input of every
// kind becomes usable data plus at most one problem, with mistyped fields dropped.

import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { HOOK_INPUT_FIELDS, INPUT_MAX_BYTES, readHookInput, readStdin, type HookEvent } from "../../src/hooks/input.ts";
import { HOOK_INPUT_SCHEMAS } from "../../src/hooks/input-schema.ts";

/** Every field of a zod object schema, nested objects as "a.b", with its type. */
function fieldsOf(schema: z.ZodObject, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = (field instanceof z.ZodOptional ? field.unwrap() : field) as z.ZodType;
    const type = inner.def.type;
    out[prefix + key] = type;
    if (inner instanceof z.ZodObject) Object.assign(out, fieldsOf(inner, `${prefix}${key}.`));
  }
  return out;
}

describe("the fast check's table", () => {
  for (const event of Object.keys(HOOK_INPUT_SCHEMAS) as HookEvent[]) {
    test(`${event}: the same fields and types as its zod schema`, () => {
      expect(HOOK_INPUT_FIELDS[event]).toEqual(fieldsOf(HOOK_INPUT_SCHEMAS[event]) as never);
    });
  }
});

const read = (event: HookEvent, text: string) => readHookInput(event, async () => text);

describe("readHookInput", () => {
  const cases: Array<[string, HookEvent, string, { data: unknown; problem: string | null; dropped: string[] }]> = [
    ["well-formed", "session-start", '{"session_id":"s","cwd":"/p","source":"startup"}', { data: { session_id: "s", cwd: "/p", source: "startup" }, problem: null, dropped: [] }],
    ["unknown fields pass", "session-end", '{"session_id":"s","reason":"exit","new_field":[1]}', { data: { session_id: "s", reason: "exit", new_field: [1] }, problem: null, dropped: [] }],
    ["empty", "session-start", "", { data: {}, problem: "empty hook input", dropped: [] }],
    ["blank", "session-start", " \n\t", { data: {}, problem: "empty hook input", dropped: [] }],
    ["not JSON", "pre-tool-use", "{nope", { data: {}, problem: "hook input is not valid JSON", dropped: [] }],
    ["an array", "pre-tool-use", "[1,2]", { data: {}, problem: "hook input is not a JSON object", dropped: [] }],
    ["null", "session-end", "null", { data: {}, problem: "hook input is not a JSON object", dropped: [] }],
    ["a string", "session-end", '"x"', { data: {}, problem: "hook input is not a JSON object", dropped: [] }],
    [
      "session_id a number",
      "session-start",
      '{"session_id":42,"cwd":"/p"}',
      { data: { cwd: "/p" }, problem: "dropped hook input field of the wrong type: session_id (expected string, received number)", dropped: ["session_id"] },
    ],
    [
      "two wrong fields",
      "session-end",
      '{"session_id":null,"reason":7,"cwd":"/"}',
      {
        data: { cwd: "/" },
        problem: "dropped hook input fields of the wrong type: session_id (expected string, received null), reason (expected string, received number)",
        dropped: ["session_id", "reason"],
      },
    ],
    [
      "command not a string",
      "pre-tool-use",
      '{"tool_name":"Bash","tool_input":{"command":["ls"],"run_in_background":true}}',
      {
        data: { tool_name: "Bash", tool_input: { run_in_background: true } },
        problem: "dropped hook input field of the wrong type: tool_input.command (expected string, received array)",
        dropped: ["tool_input.command"],
      },
    ],
    [
      'run_in_background the string "true"',
      "pre-tool-use",
      '{"tool_name":"Bash","tool_input":{"command":"ls","run_in_background":"true"}}',
      {
        data: { tool_name: "Bash", tool_input: { command: "ls" } },
        problem: "dropped hook input field of the wrong type: tool_input.run_in_background (expected boolean, received string)",
        dropped: ["tool_input.run_in_background"],
      },
    ],
    [
      "tool_input an array",
      "pre-tool-use",
      '{"tool_name":"Bash","tool_input":["ls"]}',
      { data: { tool_name: "Bash" }, problem: "dropped hook input field of the wrong type: tool_input (expected object, received array)", dropped: ["tool_input"] },
    ],
    [
      "a field named like a prototype key",
      "session-start",
      '{"__proto__":{"session_id":1},"constructor":2,"session_id":"s"}',
      { data: JSON.parse('{"__proto__":{"session_id":1},"constructor":2,"session_id":"s"}'), problem: null, dropped: [] },
    ],
  ];
  for (const [name, event, text, expected] of cases) {
    test(name, async () => {
      const input = await read(event, text);
      expect({ ...input, data: JSON.parse(JSON.stringify(input.data)) }).toEqual(expected);
    });
  }

  test("input up to the cap is taken whole; more is refused, counted in UTF-8 bytes", async () => {
    const body = (command: string) => async () => JSON.stringify({ tool_name: "Bash", tool_input: { command } });
    const text = await readStdin(INPUT_MAX_BYTES, body("x".repeat(INPUT_MAX_BYTES - 100)));
    expect((JSON.parse(text).tool_input.command as string).length).toBe(INPUT_MAX_BYTES - 100);
    expect(readStdin(INPUT_MAX_BYTES, body("x".repeat(INPUT_MAX_BYTES)))).rejects.toThrow(`more than ${INPUT_MAX_BYTES} bytes`);
    // 2 million three-byte characters: 6 MB, under the limit in UTF-16 units.
    expect(readStdin(INPUT_MAX_BYTES, body("€".repeat(2_000_000)))).rejects.toThrow(`more than ${INPUT_MAX_BYTES} bytes`);
    const input = await readHookInput("pre-tool-use", () => readStdin(INPUT_MAX_BYTES, body("x".repeat(5_000_000))));
    expect(input).toEqual({ data: {}, problem: `cannot read hook input: more than ${INPUT_MAX_BYTES} bytes`, dropped: [] });
  });

  test("stdin left open: a problem after the timeout, not a hang", async () => {
    const input = await readHookInput("session-start", () => new Promise<string>(() => {}), 50);
    expect(input).toEqual({ data: {}, problem: "cannot read hook input: no end of input within 50 ms", dropped: [] });
  });
});
