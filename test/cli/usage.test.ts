// Every option the README's Usage block (and its table of run options) names is accepted by
// that command, and --help names the same ones: documentation that drifts fails here.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { commandHelp, HELP, USAGE } from "../../src/cli/usage.ts";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const README = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");
const usageBlock = /## Usage\n\n```\n([\s\S]*?)```/.exec(README)![1]!;

/** command -> its options as documented, each with the placeholder of its value (or null). */
function documentedOptions(): Map<string, Array<{ flag: string; value: string | null }>> {
  const options = new Map<string, Array<{ flag: string; value: string | null }>>();
  for (const line of usageBlock.split("\n")) {
    const command = /^supervise ([a-z]+)\b/.exec(line)?.[1];
    if (!command || command === "hook") continue;
    const flags = [...line.replace(/#.*/, "").matchAll(/(--[a-z-]+)(?: ([A-Z]+)\b)?/g)].map((m) => ({ flag: m[1]!, value: m[2] ?? null }));
    options.set(command, [...(options.get(command) ?? []), ...flags]);
  }
  // run's [OPTIONS] are the table under the block.
  const table = [...README.matchAll(/^\| `(?:-[a-z], )?(--[a-z-]+)(?: ([A-Z]+))?` \|/gm)].map((m) => ({ flag: m[1]!, value: m[2] ?? null }));
  options.set("run", [...(options.get("run") ?? []), ...table]);
  return options;
}

const VALUES: Record<string, (sb: Sandbox) => string> = {
  DUR: () => "2s",
  SIG: () => "TERM",
  ID: () => "nosuchentry",
  LABEL: () => "label",
  NAME: () => "gemini",
  STATE: () => "running",
  N: () => "5",
  FILE: (s) => s.configPath,
};

/** A call of the command that is safe here whatever the option: dry runs, no real targets. */
function callWith(command: string, option: string[]): string[] {
  switch (command) {
    case "run":
      return ["run", ...option, "--", "true"];
    case "show":
    case "logs":
      return [command, "nosuchentry", ...option];
    case "wait":
      return ["wait", "nosuchentry", ...option];
    case "kill":
      return ["kill", ...(option[0] === "--session" || option[0] === "--all" ? option : ["--all", ...option])];
    case "reap":
      return ["reap", "--dry-run", ...option];
    case "install":
      return ["install", "--dry-run", ...option];
    case "top":
      // One frame, not the live view; --sort's value is spelled cpu|mem.
      return ["top", "--once", ...(option[0] === "--sort" ? ["--sort", "mem"] : option)];
    default:
      return [command, ...option];
  }
}

describe("the README's Usage block", () => {
  const documented = documentedOptions();

  test("names the commands and options --help names", () => {
    for (const [command, options] of documented) {
      if (command === "run") continue;
      const helpLine = USAGE.split("\n").find((line) => line.trim().startsWith(`supervise ${command} `) || line.trim() === `supervise ${command}`);
      expect(helpLine, `--help has a line for ${command}`).toBeDefined();
      for (const { flag } of options) expect(helpLine, `--help's ${command} line names ${flag}`).toContain(flag);
    }
    for (const { flag } of documented.get("run")!) expect(USAGE).toContain(flag);
  });

  test("every option it lists is accepted by that command", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const env = { HOME: sb.dir, XDG_CONFIG_HOME: join(sb.dir, "xdg") };
    let checked = 0;
    for (const [command, options] of documented) {
      for (const { flag, value } of options) {
        const option = value ? [flag, VALUES[value]!(sb)] : [flag];
        const r = await runCli(sb, callWith(command, option), { env });
        expect(r.stderr, `supervise ${callWith(command, option).join(" ")}`).not.toMatch(/unknown option|unexpected argument|usage: /);
        checked++;
      }
    }
    // The block is really being read: every command of it with its options.
    expect(checked).toBeGreaterThan(25);
  });
});

describe("supervise CMD --help", () => {
  const documented = documentedOptions();

  test("every command: its own help on stdout, exit 0, with -h and --help alike, naming every option the README gives it, an example and its exit status", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    for (const command of Object.keys(HELP)) {
      for (const flag of ["--help", "-h"]) {
        const r = await runCli(sb, [command, flag]);
        expect({ command, flag, ...r }).toEqual({ command, flag, exitCode: 0, stdout: commandHelp(command), stderr: "" });
      }
      const help = commandHelp(command);
      expect(help).toStartWith(`usage: supervise ${HELP[command]!.synopsis[0]}`);
      expect(help).toMatch(/\nexample: supervise \S/);
      expect(help).toMatch(/\nexit status: /);
      for (const { flag } of documented.get(command) ?? []) expect(help, `${command} --help names ${flag}`).toContain(flag);
    }
    // After an option, and in the prefix form, too.
    expect((await runCli(sb, ["kill", "--all", "--help"])).stdout).toBe(commandHelp("kill"));
    expect((await runCli(sb, ["-d", "5m", "--help"])).stdout).toBe(commandHelp("run"));
  });

  test("a --help that belongs to the command is the command's: `run -- sh -c … --help` runs it", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["run", "--", "sh", "-c", 'echo "$1"', "x", "--help"])).toEqual({ exitCode: 0, stdout: "--help\n", stderr: "" });
    expect(await runCli(sb, ["printf", "%s", "-h"])).toEqual({ exitCode: 0, stdout: "-h", stderr: "" });
  });
});
