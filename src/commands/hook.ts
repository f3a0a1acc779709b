// `supervise hook [--agent NAME] EVENT`: the agent's hook protocol (Claude Code's unless
// --agent says otherwise). JSON on stdin, JSON on stdout, exit 0 always: a hook problem is
// reported in the output and one stderr line, never by blocking the agent. Each event's
// flow is its own module in hooks/, loaded when it runs.

import { UsageError } from "../errors.ts";
import { AGENTS, isAgentName, type AgentName } from "../ownership/agents.ts";

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
  const { agent, rest: [event, ...rest] } = agentOption(args);
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

/** `--agent NAME` (or `--agent=NAME`) before the event; claude-code when absent. */
function agentOption(args: string[]): { agent: AgentName; rest: string[] } {
  const [first, second, ...others] = args;
  let name: string | undefined;
  let rest = args;
  if (first === "--agent") [name, rest] = [second, others];
  else if (first?.startsWith("--agent=")) [name, rest] = [first.slice("--agent=".length), args.slice(1)];
  else return { agent: "claude-code", rest };
  if (name === undefined || !isAgentName(name)) {
    throw new UsageError(`--agent takes one of ${AGENTS.map((row) => row.agent).join(", ")}${name === undefined ? "" : ` (not '${name}')`}`);
  }
  return { agent: name, rest };
}
