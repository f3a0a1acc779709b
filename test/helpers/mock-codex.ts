// A stand-in for the OpenAI Responses API (SSE), enough to drive the real `codex exec`
// offline (see ../shared/reference/codex-offline.md): each request is answered with the next
// of the given exec_command calls, counted by the function calls already in its input, and
// once all were made, with a short message (held until release() when asked).

export interface MockCodex {
  /** The provider's base_url. */
  url: string;
  /** Every POST /v1/responses body received. */
  requests: any[];
  release(): void;
  stop(): void;
}

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
  const requests: any[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  if (!options.holdFinalAnswer) release();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname.endsWith("/models")) return Response.json({ data: [], models: [] });
      if (req.method !== "POST" || !url.pathname.endsWith("/responses")) return Response.json({ ok: true });
      const body: any = await req.json().catch(() => ({}));
      requests.push(body);
      const made = callsMade(body);
      const headers = { "content-type": "text/event-stream" };
      if (made < options.commands.length) {
        const args = JSON.stringify({ cmd: options.commands[made], yield_time_ms: options.yieldTimeMs ?? 1_000 });
        return new Response(answer(`resp_${made}`, { type: "function_call", id: `fc_${made}`, call_id: `call_${made}`, name: "exec_command", arguments: args }), { headers });
      }
      await released;
      return new Response(answer("resp_done", { type: "message", role: "assistant", content: [{ type: "output_text", text: "done" }] }), { headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/v1`, requests, release, stop: () => server.stop(true) };
}
