// `supervise hook EVENT`: Claude Code's hook protocol. JSON on stdin, JSON on stdout,
// exit 0 always: a hook problem is reported in the output and one stderr line, never by
// blocking the agent. Each event's flow is its own module in hooks/, loaded when it runs.

import { UsageError } from "../errors.ts";

type Flow = (args: string[]) => Promise<void>;

const EVENTS: Record<string, () => Promise<Flow>> = {
  "session-start": async () => (await import("../hooks/session-start.ts")).sessionStartHook,
  "pre-tool-use": async () => (await import("../hooks/pre-tool-use.ts")).preToolUseHook,
  "session-end": async () => (await import("../hooks/session-end.ts")).sessionEndHook,
};

/** Internal, started detached by the hooks above: SessionEnd's grace and SIGKILL, and the periodic sweep. */
const INTERNAL: Record<string, () => Promise<Flow>> = {
  "session-end-follow-up": async () => (await import("../hooks/session-end.ts")).sessionEndFollowUp,
  "periodic-reap": async () => (await import("../hooks/periodic-reap.ts")).periodicReap,
};

export default async function hook(args: string[]): Promise<number> {
  const [event, ...rest] = args;
  if (event !== undefined && Object.hasOwn(INTERNAL, event)) {
    await (await INTERNAL[event]!())(rest);
    return 0;
  }
  if (event === undefined || !Object.hasOwn(EVENTS, event)) {
    throw new UsageError(`unknown hook event '${event ?? ""}' (known: ${Object.keys(EVENTS).join(", ")})`);
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  await (await EVENTS[event]!())(rest);
  return 0;
}
