// Whether the Gemini CLI above a hook can ask its user, read from real processes standing in
// for it (their argv names gemini): headless (-p, no terminal) cannot, -i can, none found cannot.

import { afterEach, describe, expect, test } from "bun:test";
import { geminiCanAsk } from "../../../src/hooks/agents/gemini-ask.ts";

const started: Bun.Subprocess[] = [];
afterEach(() => {
  for (const proc of started.splice(0)) proc.kill("SIGKILL");
});

/** A process whose argv is `python3 -c … gemini ARGS`, stdin and stdout pipes (no terminal). */
async function fakeGemini(args: string[], env: Record<string, string> = {}): Promise<number> {
  const proc = Bun.spawn(["python3", "-c", "import sys, time; print('up', flush=True); time.sleep(100)", "/usr/lib/node_modules/@google/gemini-cli/bundle/gemini.js", ...args], { stdin: "pipe", stdout: "pipe", stderr: "ignore", env: { PATH: process.env.PATH!, ...env } });
  started.push(proc);
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return proc.pid;
}

describe("geminiCanAsk", () => {
  test("gemini -p: headless, cannot ask", async () => {
    expect(geminiCanAsk([await fakeGemini(["-p", "go"])])).toBe(false);
  });
  test("gemini -i: interactive, can ask", async () => {
    expect(geminiCanAsk([await fakeGemini(["-i", "go"], { CI: "true" })])).toBe(true);
  });
  test("no prompt flag, but stdin and stdout are pipes: headless", async () => {
    expect(geminiCanAsk([await fakeGemini([])])).toBe(false);
  });
  test("no Gemini CLI among the ancestors (or they are gone): cannot tell, so cannot ask", async () => {
    expect(geminiCanAsk([process.pid])).toBe(false);
    expect(geminiCanAsk([])).toBe(false);
    expect(geminiCanAsk([2 ** 22 + 1])).toBe(false);
  });
});
