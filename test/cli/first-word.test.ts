// A mistyped command word never runs a program: a task manager's verb, or a near miss of a
// command that no program on PATH answers, is refused (exit 2, one line); every other first
// word is the prefix form of `run`, and `supervise run -- WORD` always runs it.

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { refusedFirstWord } from "../../src/cli/first-word.ts";
import { editDistance } from "../../src/text/nearest.ts";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const COMMANDS = ["run", "ls", "ps", "show", "kill", "wait", "logs", "stats", "gc", "config", "reap", "hook", "install"];
const PATH = new Set(["stat", "top", "rm", "rg", "go", "gcc", "du", "npm", "true", "cc", "kil"]);

describe("refusedFirstWord", () => {
  const cases: Array<[string, string | null]> = [
    // Other managers' verbs, also where a program has the name.
    ["stat", "stats"],
    ["rm", "gc"],
    ["remove", "gc"],
    ["status", "ls"],
    ["list", "ls"],
    ["log", "logs"],
    ["version", "--version"],
    ["stop", "kill"],
    ["start", "run"],
    // Near misses no program answers.
    ["sohw", "show"],
    ["wiat", "wait"],
    ["lgos", "logs"],
    ["isntall", "install"],
    ["confg", "config"],
    ["reaap", "reap"],
    // Near misses a program answers: it runs.
    ["kil", null],
    ["rg", null],
    ["go", null],
    ["gcc", null],
    ["du", null],
    ["cc", null],
    // Far from every command, or not a word at all.
    ["npm", null],
    ["true", null],
    ["python3", null],
    ["./stat", null],
    ["/usr/bin/stat", null],
    ["-x", null],
    ["", null],
  ];
  for (const [word, near] of cases) {
    test(JSON.stringify(word), () => {
      const refusal = refusedFirstWord(word, COMMANDS, (w) => PATH.has(w));
      expect(refusal).toBe(near === null ? null : `'${word}' is not a supervise command (did you mean '${near}'?); to run the program: supervise run -- ${word}`);
    });
  }

  test("editDistance counts a transposition as one edit", () => {
    expect([editDistance("sohw", "show"), editDistance("ls", "sl"), editDistance("stat", "stats"), editDistance("", "gc"), editDistance("npm", "ps")]).toEqual([1, 1, 1, 2, 2]);
  });
});

describe("the real CLI", () => {
  test("`supervise rm victim` deletes nothing; `supervise stat x` runs nothing: exit 2, one line, no entry", async () => {
    sb = makeSandbox();
    const victim = join(sb.dir, "victim");
    writeFileSync(victim, "");
    expect(await runCli(sb, ["rm", victim])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `supervise: 'rm' is not a supervise command (did you mean 'gc'?); to run the program: supervise run -- rm\n`,
    });
    expect(existsSync(victim)).toBe(true);
    expect(await runCli(sb, ["stat", victim])).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: `supervise: 'stat' is not a supervise command (did you mean 'stats'?); to run the program: supervise run -- stat\n`,
    });
    expect((await runCli(sb, ["ls", "--all", "--json"])).stdout.trim()).toBe("[]");
  });

  test("`supervise run -- stat FILE` runs it, and so does the prefix form of a program far from every command", async () => {
    sb = makeSandbox();
    const file = join(sb.dir, "f");
    writeFileSync(file, "");
    expect(await runCli(sb, ["run", "--", "stat", "-c", "%s", file])).toEqual({ exitCode: 0, stdout: "0\n", stderr: "" });
    expect(await runCli(sb, ["printf", "ok"])).toEqual({ exitCode: 0, stdout: "ok", stderr: "" });
  });
});
