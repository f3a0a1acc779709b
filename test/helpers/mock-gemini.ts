// A stand-in for the Gemini API's streamGenerateContent (SSE), enough to drive the real
// `gemini -p` offline (see ../shared/reference/gemini-offline.md): each request is answered
// with the next of the given run_shell_command calls, counted by the function calls already
// in its contents, and once all were made, with a short text (held until release() when asked).

import { SSE_HEADERS, startMockServer, type MockServer } from "./mock-server.ts";

/** `url`: for GOOGLE_GEMINI_BASE_URL; `requests`: every streamGenerateContent body received. */
export type MockGemini = MockServer;

export interface ShellCall {
  command: string;
  description?: string;
  is_background?: boolean;
}

export interface GeminiMockOptions {
  calls: ShellCall[];
  holdFinalAnswer?: boolean;
}

const usageMetadata = { promptTokenCount: 5, candidatesTokenCount: 5, totalTokenCount: 10 };

function stream(parts: unknown[]): string {
  return `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts }, finishReason: "STOP" }], usageMetadata })}\r\n\r\n`;
}

function callsMade(body: any): number {
  const contents: any[] = Array.isArray(body?.contents) ? body.contents : [];
  return contents.filter((c) => c?.role === "model" && Array.isArray(c.parts) && c.parts.some((p: any) => p?.functionCall)).length;
}

export function startMockGemini(options: GeminiMockOptions): MockGemini {
  return startMockServer(
    {
      wants: (req, url) => req.method === "POST" && url.pathname.includes(":streamGenerateContent"),
      async answer(body, held) {
        const made = callsMade(body);
        if (made < options.calls.length) return new Response(stream([{ functionCall: { name: "run_shell_command", args: options.calls[made] } }]), { headers: SSE_HEADERS });
        await held;
        return new Response(stream([{ text: "Done." }]), { headers: SSE_HEADERS });
      },
    },
    options,
  );
}
