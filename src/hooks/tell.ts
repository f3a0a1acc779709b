// The hooks that reach the model between tool calls and turns (Claude Code's and Codex's
// UserPromptSubmit and PostToolUse, Gemini's BeforeAgent and AfterTool): each answers with the
// session's untold notices (src/tell) as additionalContext, or `{}`. Claude Code's PreToolUse
// adds them to its own answer (pre-tool-use.ts). A hook never fails the agent.

import type { AgentName } from "../ownership/agents.ts";
import { ringNews, takeNews } from "../ledger/news.ts";
import { stateDir } from "../state-dir.ts";
import { answer, note } from "./answer.ts";
import { dialectOf, type HookDialect, type TellingEvent } from "./dialect.ts";
import { readHookInput, stringField } from "./input.ts";

export function tellingHook(event: TellingEvent): (agent: AgentName) => Promise<void> {
  return async (agent) => {
    const dialect = await dialectOf(agent);
    const input = await readHookInput(event);
    // A field of the wrong type is dropped; what is left still names the session.
    if (input.problem) await note(input.problem);
    await answer(await withNotices({}, event, input.data, dialect));
  };
}

/**
 * `output` with the session's untold notices added as its additionalContext; as it was when
 * there are none, or when they cannot be read (one stderr line: they wait for the next hook).
 */
export async function withNotices(output: object, event: TellingEvent, data: Record<string, unknown>, dialect: HookDialect, dir = stateDir()): Promise<object> {
  const session = stringField(data, "session_id");
  // The usual call: one stat says nothing was rung for this session since the last hook took it.
  if (session === null || !(await takeNews(dir, session))) return output;
  let lines: string[];
  try {
    const { takeNotices } = require("../tell/deliver.ts") as typeof import("../tell/deliver.ts");
    const taken = takeNotices(dir, session, { agentTellsEnds: dialect.tellsTaskEnds });
    if (taken.more) ringNews(dir, session);
    lines = taken.lines;
  } catch (error) {
    ringNews(dir, session);
    void note(`cannot read what to tell the agent: ${(error as Error).message}`);
    return output;
  }
  if (lines.length === 0) return output;
  const specific = (output as { hookSpecificOutput?: Record<string, unknown> }).hookSpecificOutput ?? { hookEventName: dialect.eventNames[event] };
  return { ...output, hookSpecificOutput: { ...specific, additionalContext: lines.join("\n") } };
}
