// What every mock model API here shares: a loopback server that records each request body,
// answers through the mock's own function, and can hold its final answer until release(),
// keeping the agent CLI mid-turn while a test looks at what it started.

export interface MockServer {
  url: string;
  /** Every body the mock answered (those `wants` accepted). */
  requests: any[];
  release(): void;
  stop(): void;
}

export interface MockHandler {
  /** Whether this request is one the mock answers; anything else gets `{}`. */
  wants(req: Request, url: URL): boolean;
  /** The answer to a request; `held` resolves once the final answer may go. */
  answer(body: any, held: Promise<void>): Promise<Response> | Response;
  /** Answers for other requests (GET …/models), before `wants` is asked. */
  other?(req: Request, url: URL): Response | null;
}

export function startMockServer(handler: MockHandler, options: { holdFinalAnswer?: boolean }, path = ""): MockServer {
  const requests: any[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  if (!options.holdFinalAnswer) release();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // A held answer must not be cut by Bun's default 10 s idle timeout.
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const other = handler.other?.(req, url);
      if (other) return other;
      if (!handler.wants(req, url)) return Response.json({});
      const body: any = await req.json().catch(() => ({}));
      requests.push(body);
      return handler.answer(body, held);
    },
  });
  return { url: `http://127.0.0.1:${server.port}${path}`, requests, release, stop: () => server.stop(true) };
}

export const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
