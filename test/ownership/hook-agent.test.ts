// Which ancestor of a hook is the agent: the one its owner-pid variable names, else the
// nearest that is not a shell; hostile and junk values included.

import { describe, expect, test } from "bun:test";
import { AGENTS } from "../../src/ownership/agents.ts";
import { hookAgent } from "../../src/ownership/hook-agent.ts";
import type { ProcStat } from "../../src/proc/stat.ts";

const CLAUDE = AGENTS.find((row) => row.agent === "claude-code")!;

/** hook (10) <- sh (9) <- claude (8) <- bash (7) <- init. */
const chain = (comms: Record<number, [comm: string, ppid: number]>) => (pid: number) => {
  const at = comms[pid];
  return at ? ({ pid, comm: at[0], ppid: at[1], startTicks: pid * 100, state: "S" } as ProcStat) : null;
};
const CLAUDE_TREE = chain({ 10: ["bun", 9], 9: ["sh", 8], 8: ["claude", 7], 7: ["bash", 1] });

describe("hookAgent", () => {
  test.each([
    ["CLAUDE_PID names an ancestor: that one", { CLAUDE_PID: "8" }, CLAUDE_TREE, 8],
    ["CLAUDE_PID names the shell between: still that ancestor (it is what the agent said)", { CLAUDE_PID: "9" }, CLAUDE_TREE, 9],
    ["CLAUDE_PID names no ancestor: nobody", { CLAUDE_PID: "4242" }, CLAUDE_TREE, null],
    ["no CLAUDE_PID: the nearest ancestor that is not a shell", {}, CLAUDE_TREE, 8],
    ["junk CLAUDE_PID is no CLAUDE_PID", { CLAUDE_PID: "abc" }, CLAUDE_TREE, 8],
    ["CLAUDE_PID=1 is junk too", { CLAUDE_PID: "1" }, CLAUDE_TREE, 8],
    ["only shells up to init: nobody", {}, chain({ 10: ["bun", 9], 9: ["sh", 7], 7: ["bash", 1] }), null],
    ["the parent unreadable: nobody", {}, chain({ 10: ["bun", 9] }), null],
    ["a hook started by the agent itself (Gemini, Codex)", {}, chain({ 10: ["bun", 8], 8: ["node", 7], 7: ["bash", 1] }), 8],
    ["a cycle in hand-made data ends the walk", {}, chain({ 10: ["bun", 9], 9: ["sh", 10] }), null],
  ] as const)("%s", (_, env, read, expected) => {
    expect(hookAgent(CLAUDE, env, read, 10)?.pid ?? null).toBe(expected);
  });
});
