// `supervise hook [--agent NAME] EVENT`: the agent's hook protocol (Claude Code's unless
// --agent says otherwise). JSON on stdin, JSON on stdout, exit 0 always: a hook problem is
// reported in the output and one stderr line, never by blocking the agent. Each event's
// flow is its own module in hooks/, loaded when it runs.

import { agentOption } from "../cli/agent-option.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import type { AgentName } from "../ownership/agents.ts";

type Flow = (agent: AgentName) => Promise<void>;

const EVENTS: Record<string, () => Promise<Flow>> = {
  "session-start": async () => (await import("../hooks/session-start.ts")).sessionStartHook,
  "pre-tool-use": async () => (await import("../hooks/pre-tool-use.ts")).preToolUseHook,
  "session-end": async () => (await import("../hooks/session-end.ts")).sessionEndHook,
};

/** Internal, started detached by the hooks above: SessionEnd's grace and SIGKILL, and the periodic sweep. */
const INTERNAL: Record<string, () => Promise<(args: string[]) => Promise<void>>> = {
  "session-end-follow-up": async () => (await import("../hooks/session-end.ts")).sessionEndFollowUp,
  "periodic-reap": async () => (await import("../hooks/periodic-reap.ts")).periodicReap,
};

export default async function hook(args: string[]): Promise<number> {
  // Options end at the event: what follows it (an internal event's session id) is its own.
  const { options, positionals } = parseOptions(args, { agent: { value: true } }, { stopAtPositional: true });
  const agent = typeof options.agent === "string" ? agentOption(options.agent) : "claude-code";
  const [event, ...rest] = positionals;
  if (event !== undefined && Object.hasOwn(INTERNAL, event)) {
    await (await INTERNAL[event]!())(rest);
    return 0;
  }
  if (event === undefined || !Object.hasOwn(EVENTS, event)) {
    throw new UsageError(`unknown hook event '${event ?? ""}' (known: ${Object.keys(EVENTS).join(", ")})`);
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  await (await EVENTS[event]!())(agent);
  return 0;
}

