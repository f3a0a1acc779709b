// A stand-in for the Anthropic Messages API, enough to drive the real Claude Code CLI
// offline: each request is answered with the next of the given Bash tool calls, counted by
// the tool calls already in the conversation, and once all were made, with a short text and
// end_turn. Counting, rather than looking for a tool_result, also answers the fresh user
// message that a finished background command sends (see ../shared/reference/claude-code-hooks.md).

import { SSE_HEADERS, startMockServer, type MockServer } from "./mock-server.ts";

/** `requests`: every POST /v1/messages body received. */
export type MockAnthropic = MockServer;

export interface BashCall {
  command: string;
  description: string;
  run_in_background: boolean;
}

export interface MockOptions {
  /** Asked for in order, one per request. */
  calls: BashCall[];
  /** Keep every answer after the last tool call open until release(): the CLI stays mid-turn. */
  holdFinalAnswer?: boolean;
}

function sse(events: Array<[string, unknown]>): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

const message = (id: string) => ({ id, type: "message", role: "assistant", model: "claude-mock", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });

function toolUseStream(input: BashCall, n: number): string {
  return sse([
    ["message_start", { type: "message_start", message: message(`msg_tool_${n}`) }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: `toolu_mock_${n}`, name: "Bash", input: {} } }],
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

/** How many tool calls the conversation already holds. */
function toolCallsMade(body: any): number {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  return messages.filter((m) => m?.role === "assistant" && Array.isArray(m.content) && m.content.some((b: any) => b?.type === "tool_use")).length;
}

export function startMockAnthropic(options: MockOptions): MockAnthropic {
  return startMockServer(
    {
      wants: (req, url) => req.method === "POST" && url.pathname.endsWith("/v1/messages"),
      async answer(body, held) {
        if (!body.stream) return Response.json({ ...message("msg_plain"), content: [{ type: "text", text: "ok" }], stop_reason: "end_turn" });
        const made = toolCallsMade(body);
        if (made >= options.calls.length) await held;
        const text = made < options.calls.length ? toolUseStream(options.calls[made]!, made + 1) : textStream("Started it.");
        return new Response(text, { headers: SSE_HEADERS });
      },
    },
    options,
  );
}
