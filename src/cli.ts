#!/usr/bin/env bun
// Parse the first word and dispatch; each command's module is loaded only when used.
// This is the one place that calls process.exit.

import { readOwnCmdline, userArgs } from "./cli/raw-args.ts";
import { writeErr, writeOut } from "./cli/output.ts";
import { SuperviseError, UsageError } from "./errors.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import("./commands/run.ts"),
  ls: () => import("./commands/ls.ts"),
  ps: () => import("./commands/ps.ts"),
  top: () => import("./commands/top.ts"),
  show: () => import("./commands/show.ts"),
  kill: () => import("./commands/kill.ts"),
  wait: () => import("./commands/wait.ts"),
  logs: () => import("./commands/logs.ts"),
  stats: () => import("./commands/stats.ts"),
  gc: () => import("./commands/gc.ts"),
  config: () => import("./commands/config.ts"),
  reap: () => import("./commands/reap.ts"),
  hook: () => import("./commands/hook.ts"),
  install: () => import("./commands/install.ts"),
  completion: () => import("./commands/completion.ts"),
  restart: () => import("./commands/restart.ts"),
};

async function main(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === "--help" || first === "-h" || first === "help") {
    const { USAGE } = await import("./cli/usage.ts");
    await writeOut(USAGE);
    return 0;
  }
  if (first === "--version" || first === "-V") {
    const { version } = await import("../package.json");
    await writeOut(`supervise ${version}\n`);
    return 0;
  }
  const load = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first]! : null;
  if (!load && first !== undefined) {
    const { refusedFirstWord } = await import("./cli/first-word.ts");
    const refusal = refusedFirstWord(first, Object.keys(COMMANDS), (word) => Bun.which(word) !== null);
    if (refusal) throw new UsageError(refusal);
  }
  // Anything else that is not one of our command names is the prefix form of `run`.
  const command = load ? (await load()).default : (await COMMANDS.run!()).default;
  try {
    return await command(load ? rest : args);
  } catch (error) {
    const { HelpRequested } = await import("./cli/parse-options.ts");
    if (!(error instanceof HelpRequested)) throw error;
    const { commandHelp } = await import("./cli/usage.ts");
    await writeOut(commandHelp(load ? first! : "run"));
    return 0;
  }
}

/** An unexpected failure: 125 for `run` (supervise's own error, like GNU timeout), 1 elsewhere. */
async function report(error: unknown, isRun: boolean): Promise<number> {
  if (error instanceof SuperviseError) {
    await writeErr(`supervise: ${error.message}\n`);
    return error.exitCode;
  }
  await writeErr(`supervise: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return isRun ? 125 : 1;
}

// The raw command line, to notice a `--` that Bun dropped (raw-args.ts).
const args = userArgs(process.argv, await readOwnCmdline());
const isRun = args[0] === undefined || args[0] === "run" || args[0] === "restart" || !Object.hasOwn(COMMANDS, args[0]);
const code = await main(args).catch((error) => report(error, isRun));
process.exit(code);
