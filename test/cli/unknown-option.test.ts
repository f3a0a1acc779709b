// Every command refuses an option it does not know the same way: one stderr line, nothing on
// stdout, exit 2 (125 for run, like GNU timeout's own errors), nothing done.

import { afterEach, describe, expect, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const COMMANDS = ["run", "ls", "ps", "show", "kill", "wait", "logs", "stats", "gc", "reap", "install", "config"] as const;

describe("an unknown option", () => {
  test.each(COMMANDS)("supervise %s --bogus", async (command) => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const r = await runCli(sb, [command, "--bogus"], { env: { HOME: sb.dir } });
    expect(r).toEqual({ exitCode: command === "run" ? 125 : 2, stdout: "", stderr: "supervise: unknown option '--bogus'\n" });
  });

  test("a typo of a known option says which one it missed", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    expect(await runCli(sb, ["ls", "--al"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: unknown option '--al' (did you mean '--all'?)\n" });
    expect(await runCli(sb, ["run", "--dedline", "5", "--", "true"])).toEqual({ exitCode: 125, stdout: "", stderr: "supervise: unknown option '--dedline' (did you mean '--deadline'?)\n" });
    expect(await runCli(sb, ["kill", "--sesion", "x"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: unknown option '--sesion' (did you mean '--session'?)\n" });
  });
});
