// The scaffolding of an end-to-end suite with a real agent CLI: skipped, with the reason
// printed, where PID namespaces or the CLI are missing; each test's sandbox and mock API
// servers ended after it, even when it fails.

import { afterEach, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MockServer } from "./mock-server.ts";
import { namespaceUnavailable } from "./namespace.ts";
import { makeSandbox, type Sandbox } from "./sandbox.ts";

export interface AgentSuite {
  /** `test`, or `test.skip` when the suite cannot run here. */
  e2e: typeof test | typeof test.skip;
  /** The CLI's path in node_modules/.bin. */
  bin: string;
  /** A sandbox, cleaned up after the test. */
  sandbox(config: unknown): Sandbox;
  /** A mock server, released and stopped after the test. */
  mock<M extends MockServer>(server: M): M;
}

export function agentSuite(label: string, binName: string): AgentSuite {
  const bin = join(import.meta.dir, "..", "..", "node_modules", ".bin", binName);
  const skipReason = namespaceUnavailable ?? (existsSync(bin) ? null : `the ${label} is not installed (${bin}); run bun install`);
  if (skipReason) console.warn(`SKIPPING ${label} end-to-end tests: ${skipReason}`);
  let sb: Sandbox | undefined;
  const mocks: MockServer[] = [];
  afterEach(async () => {
    for (const mock of mocks.splice(0)) {
      mock.release();
      mock.stop();
    }
    await sb?.cleanup();
    sb = undefined;
  });
  return {
    e2e: skipReason ? test.skip : test,
    bin,
    sandbox: (config) => (sb = makeSandbox(config)),
    mock(server) {
      mocks.push(server);
      return server;
    },
  };
}

/**
 * How often TEXT occurs in each request as sent (JSON, where its quotes are escaped), as a
 * verdict: "told once" when it is absent until some request after `notBefore` and then in
 * every later one exactly once (the conversation keeps it); else the counts themselves.
 */
export function toldOnce(requests: readonly unknown[], text: string, notBefore: number): string {
  const counts = requests.map((request) => JSON.stringify(request).split(JSON.stringify(text).slice(1, -1)).length - 1);
  const first = counts.indexOf(1);
  const ok = first >= notBefore && counts.every((n, i) => n === (i < first ? 0 : 1));
  return ok ? "told once" : `counts per request: ${counts.join(", ")}`;
}

/**
 * Creates FILE once the mock has received COUNT requests: the mock lives in this process and
 * the scenario in bash, which waits for the file (with wait_until's deadline). Returns the stop.
 */
export function tellWhenReceived(api: { requests: readonly unknown[] }, count: number, file: string): () => void {
  const timer = setInterval(() => {
    if (api.requests.length < count) return;
    writeFileSync(file, "");
    clearInterval(timer);
  }, 20);
  return () => clearInterval(timer);
}
