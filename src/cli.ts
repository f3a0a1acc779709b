#!/usr/bin/env bun
// Parse the first word and dispatch; each command's module is loaded only when used.
// This is the one place that calls process.exit.

import { userArgs } from "./cli/raw-args.ts";
import { SuperviseError } from "./errors.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import("./commands/run.ts"),
  ls: () => import("./commands/ls.ts"),
  config: () => import("./commands/config.ts"),
  reap: () => import("./commands/reap.ts"),
  hook: () => import("./commands/hook.ts"),
};

async function main(args: string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === "--help" || first === "-h" || first === "help") {
    const { USAGE } = await import("./cli/usage.ts");
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === "--version" || first === "-V") {
    const { version } = await import("../package.json");
    process.stdout.write(`supervise ${version}\n`);
    return 0;
  }
  const load = first !== undefined && Object.hasOwn(COMMANDS, first) ? COMMANDS[first]! : null;
  // Anything that is not one of our command names is the prefix form of `run`.
  const command = load ? (await load()).default : (await COMMANDS.run!()).default;
  return command(load ? rest : args);
}

/** An unexpected failure: 125 for `run` (supervise's own error, like GNU timeout), 1 elsewhere. */
function report(error: unknown, isRun: boolean): number {
  if (error instanceof SuperviseError) {
    process.stderr.write(`supervise: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`supervise: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return isRun ? 125 : 1;
}

const args = userArgs();
const isRun = args[0] === undefined || args[0] === "run" || !Object.hasOwn(COMMANDS, args[0]);
const code = await main(args).catch((error) => report(error, isRun));
process.exit(code);
