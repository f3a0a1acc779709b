// `--agent NAME`, as `install` and `hook` take it: one of the agents table's names.

import { UsageError } from "../errors.ts";
import { AGENTS, isAgentName, type AgentName } from "../ownership/agents.ts";

export function agentOption(name: string): AgentName {
  if (isAgentName(name)) return name;
  throw new UsageError(`--agent takes one of ${AGENTS.map((row) => row.agent).join(", ")} (not '${name}')`);
}
