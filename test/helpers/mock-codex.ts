// A stand-in for the OpenAI Responses API (SSE), enough to drive the real `codex exec`
// offline (see ../shared/reference/codex-offline.md): each request is answered with the next
// of the given exec_command calls, counted by the function calls already in its input, and
// once all were made, with a short message (held until release() when asked).

import { SSE_HEADERS, startMockServer, type MockServer } from "./mock-server.ts";

/** `url`: the provider's base_url; `requests`: every POST /v1/responses body received. */
export type MockCodex = MockServer;

export interface CodexMockOptions {
  /** exec_command `cmd`s, asked for in order. */
  commands: string[];
  /** How long codex waits for a command before it counts as a background terminal. */
  yieldTimeMs?: number;
  holdFinalAnswer?: boolean;
}

function sse(events: Array<[string, unknown]>): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

const usage = { input_tokens: 1, input_tokens_details: null, output_tokens: 1, output_tokens_details: null, total_tokens: 2 };

function answer(id: string, item: Record<string, unknown>): string {
  return sse([
    ["response.created", { type: "response.created", response: { id } }],
    ["response.output_item.done", { type: "response.output_item.done", item }],
    ["response.completed", { type: "response.completed", response: { id, usage } }],
  ]);
}

function callsMade(body: any): number {
  const input: any[] = Array.isArray(body?.input) ? body.input : [];
  return input.filter((item) => item?.type === "function_call").length;
}

export function startMockCodex(options: CodexMockOptions): MockCodex {
  return startMockServer(
    {
      // Codex makes no /models call to a custom provider; an empty list, should it ask.
      other: (req, url) => (req.method === "GET" && url.pathname.endsWith("/models") ? Response.json({ data: [], models: [] }) : null),
      wants: (req, url) => req.method === "POST" && url.pathname.endsWith("/responses"),
      async answer(body, held) {
        const made = callsMade(body);
        if (made < options.commands.length) {
          const args = JSON.stringify({ cmd: options.commands[made], yield_time_ms: options.yieldTimeMs ?? 1_000 });
          return new Response(answer(`resp_${made}`, { type: "function_call", id: `fc_${made}`, call_id: `call_${made}`, name: "exec_command", arguments: args }), { headers: SSE_HEADERS });
        }
        await held;
        return new Response(answer("resp_done", { type: "message", role: "assistant", content: [{ type: "output_text", text: "done" }] }), { headers: SSE_HEADERS });
      },
    },
    options,
    "/v1",
  );
}
