// `supervise hook EVENT`: Claude Code's hook protocol. JSON on stdin, JSON on stdout,
// exit 0 always: a hook problem is reported in the output and one stderr line, never by
// blocking the agent.

import { writeErr, writeOut } from "../cli/output.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { readHookInput, stringField } from "../hooks/input.ts";
import { stateDir } from "../state-dir.ts";

const EVENTS: Record<string, () => Promise<void>> = {
  "session-start": sessionStart,
};

export default async function hook(args: string[]): Promise<number> {
  const [event, ...rest] = args;
  if (event === undefined || !Object.hasOwn(EVENTS, event)) {
    throw new UsageError(`unknown hook event '${event ?? ""}' (known: ${Object.keys(EVENTS).join(", ")})`);
  }
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  await EVENTS[event]!();
  return 0;
}

function note(message: string): Promise<number> {
  return writeErr(`supervise: hook: ${message}\n`);
}

function answer(output: unknown): Promise<number> {
  return writeOut(`${JSON.stringify(output)}\n`);
}

async function sessionStart(): Promise<void> {
  const input = await readHookInput();
  if (input.problem) await note(`${input.problem}; sweeping anyway`);
  const dir = stateDir();
  let config;
  try {
    ({ config } = await loadConfig({ stateDir: dir, cwd: stringField(input.data, "cwd") ?? process.cwd() }));
  } catch (error) {
    // Reaping with defaults could end what the user's config protects: skip the sweep.
    await note(`${(error as Error).message}; not reaping`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" }, systemMessage: `supervise: ${(error as Error).message}` });
    return;
  }
  try {
    const { sweep } = await import("../reap/sweep.ts");
    const { sessionStartOutput } = await import("../hooks/session-start.ts");
    const session = stringField(input.data, "session_id");
    const { report, running } = await sweep({ config, stateDir: dir, dryRun: false, session: null, trigger: "session-start", triggerSession: session });
    if (report.errors.length) await note(report.errors.join("; "));
    await answer(sessionStartOutput(report, running, config, Date.now()));
  } catch (error) {
    await note(`reap failed: ${(error as Error).message}`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" } });
  }
}
