// `supervise hook [--agent NAME] EVENT`: the agent's hook protocol (Claude Code's unless
// --agent says otherwise). JSON on stdin, JSON on stdout, exit 0 always: a hook problem is
// reported in the output and one stderr line, never by blocking the agent. That holds for
// an unknown event or option too: Claude Code reads exit 2 from PreToolUse as "block the
// call". Each event's flow is its own module in hooks/, loaded when it runs.

import { agentOption } from "../cli/agent-option.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import type { AgentName } from "../ownership/agents.ts";

type Flow = (agent: AgentName) => Promise<void>;

const EVENTS: Record<string, () => Promise<Flow>> = {
  "session-start": async () => (await import("../hooks/session-start.ts")).sessionStartHook,
  "pre-tool-use": async () => (await import("../hooks/pre-tool-use.ts")).preToolUseHook,
  "session-end": async () => (await import("../hooks/session-end.ts")).sessionEndHook,
  prompt: async () => (await import("../hooks/tell.ts")).tellingHook("prompt"),
  "post-tool-use": async () => (await import("../hooks/tell.ts")).tellingHook("post-tool-use"),
};

/** The agents' own names of the events (Claude Code's and Codex's, Gemini's BeforeTool, BeforeAgent and AfterTool). */
const AGENT_NAMES: Record<string, string> = {
  SessionStart: "session-start",
  PreToolUse: "pre-tool-use",
  BeforeTool: "pre-tool-use",
  SessionEnd: "session-end",
  UserPromptSubmit: "prompt",
  BeforeAgent: "prompt",
  PostToolUse: "post-tool-use",
  AfterTool: "post-tool-use",
};

/** Internal, started detached by the hooks above: SessionEnd's grace and SIGKILL, and the periodic sweep. */
const INTERNAL: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  "session-end-follow-up": async () => (await import("../hooks/session-end.ts")).sessionEndFollowUp,
  "periodic-reap": async () => (await import("../hooks/periodic-reap.ts")).periodicReap,
};

export default async function hook(args: string[]): Promise<number> {
  let call: { agent: AgentName; event: string; rest: string[] };
  try {
    call = parseHookCall(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The agent goes on as if no hook had run.
    const { answerUntouched } = await import("../hooks/answer.ts");
    await answerUntouched(error.message);
    return 0;
  }
  const { agent, event, rest } = call;
  if (Object.hasOwn(INTERNAL, event)) await (await INTERNAL[event]!())(rest);
  else await (await EVENTS[event]!())(agent);
  return 0;
}

/** The agent, the event (by our name or the agent's) and, for an internal event, its arguments. */
function parseHookCall(args: string[]): { agent: AgentName; event: string; rest: string[] } {
  // Options end at the event: what follows it (an internal event's session id) is its own.
  const { options, positionals } = parseOptions(args, { agent: { value: true } }, { stopAtPositional: true });
  const agent = typeof options.agent === "string" ? agentOption(options.agent) : "claude-code";
  const [word, ...rest] = positionals;
  if (word !== undefined && Object.hasOwn(INTERNAL, word)) return { agent, event: word, rest };
  const event = word !== undefined && Object.hasOwn(AGENT_NAMES, word) ? AGENT_NAMES[word]! : word;
  if (event === undefined || !Object.hasOwn(EVENTS, event)) {
    throw new UsageError(`unknown hook event '${word ?? ""}' (known: ${Object.keys(EVENTS).join(", ")}, or ${Object.keys(AGENT_NAMES).join(", ")})`);
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  return { agent, event, rest };
}

