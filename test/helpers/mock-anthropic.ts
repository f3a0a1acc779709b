// A stand-in for the Anthropic Messages API, enough to drive one agent turn of the real
// Claude Code CLI offline: the first request is answered with a Bash tool call, the one that
// carries its tool_result with a short text and end_turn (see
// ../shared/reference/claude-code-hooks.md, "Measured with the real CLI").

export interface MockAnthropic {
  url: string;
  /** Every POST /v1/messages body received. */
  requests: any[];
  /** Resolves the held final answer (when holdFinalAnswer was set). */
  release(): void;
  stop(): void;
}

export interface MockOptions {
  bash: { command: string; description: string; run_in_background: boolean };
  /** Keep the answer to the tool_result open until release(): the CLI stays mid-turn. */
  holdFinalAnswer?: boolean;
}

function sse(events: Array<[string, unknown]>): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

const message = (id: string) => ({ id, type: "message", role: "assistant", model: "claude-mock", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });

function toolUseStream(input: MockOptions["bash"]): string {
  return sse([
    ["message_start", { type: "message_start", message: message("msg_tool") }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_mock_1", name: "Bash", input: {} } }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } }],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ["message_delta", { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 1 } }],
    ["message_stop", { type: "message_stop" }],
  ]);
}

function textStream(text: string): string {
  return sse([
    ["message_start", { type: "message_start", message: message("msg_text") }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }],
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } }],
    ["message_stop", { type: "message_stop" }],
  ]);
}

function hasToolResult(body: any): boolean {
  const last = body?.messages?.at(-1);
  return Array.isArray(last?.content) && last.content.some((block: any) => block?.type === "tool_result");
}

export function startMockAnthropic(options: MockOptions): MockAnthropic {
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
      if (req.method !== "POST" || !url.pathname.endsWith("/v1/messages")) return Response.json({ ok: true });
      const body: any = await req.json().catch(() => ({}));
      requests.push(body);
      const final = hasToolResult(body);
      if (!body.stream) {
        return Response.json({ ...message("msg_plain"), content: [{ type: "text", text: "ok" }], stop_reason: "end_turn" });
      }
      if (final) await released;
      const text = final ? textStream("Started it.") : toolUseStream(options.bash);
      return new Response(text, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, release, stop: () => server.stop(true) };
}
