// A stand-in for the Gemini API's streamGenerateContent (SSE), enough to drive the real
// `gemini -p` offline (see ../shared/reference/gemini-offline.md): each request is answered
// with the next of the given run_shell_command calls, counted by the function calls already
// in its contents, and once all were made, with a short text (held until release() when asked).

export interface MockGemini {
  /** For GOOGLE_GEMINI_BASE_URL. */
  url: string;
  /** Every streamGenerateContent body received. */
  requests: any[];
  release(): void;
  stop(): void;
}

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
  const requests: any[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  if (!options.holdFinalAnswer) release();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // A held answer must not be cut by Bun's default 10 s idle timeout.
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || !url.pathname.includes(":streamGenerateContent")) return Response.json({});
      const body: any = await req.json().catch(() => ({}));
      requests.push(body);
      const made = callsMade(body);
      const headers = { "content-type": "text/event-stream" };
      if (made < options.calls.length) return new Response(stream([{ functionCall: { name: "run_shell_command", args: options.calls[made] } }]), { headers });
      await released;
      return new Response(stream([{ text: "Done." }]), { headers });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests, release, stop: () => server.stop(true) };
}
