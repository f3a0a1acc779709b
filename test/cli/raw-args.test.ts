import { describe, expect, test } from "bun:test";
import { userArgs } from "../../src/cli/raw-args.ts";

const argv = (...rest: string[]) => ["/usr/bin/bun", "/repo/src/cli.ts", ...rest];
const cmdline = (...words: string[]): (() => string | null) => () => `${words.join("\0")}\0`;

type Case = [label: string, argv: string[], read: () => string | null, expected: string[]];

describe("userArgs recovers the `--` Bun drops after the script", () => {
  const cases: Case[] = [
    ["plain", argv("ls"), cmdline("bun", "src/cli.ts", "ls"), ["ls"]],
    ["dropped --", argv("ls"), cmdline("bun", "src/cli.ts", "--", "ls"), ["--", "ls"]],
    ["dropped -- before --", argv("--", "x"), cmdline("bun", "src/cli.ts", "--", "--", "x"), ["--", "--", "x"]],
    ["shebang", argv("-d", "5"), cmdline("bun", "/usr/local/bin/supervise", "--", "-d", "5"), ["--", "-d", "5"]],
    ["-- later is kept as is", argv("run", "--", "ls"), cmdline("bun", "src/cli.ts", "run", "--", "ls"), ["run", "--", "ls"]],
    ["an argument that is --", argv("x", "--"), cmdline("bun", "src/cli.ts", "x", "--"), ["x", "--"]],
    ["no args", argv(), cmdline("bun", "src/cli.ts"), []],
    ["just --", argv(), cmdline("bun", "src/cli.ts", "--"), ["--"]],
    ["unreadable cmdline", argv("ls"), () => null, ["ls"]],
    ["mismatched cmdline", argv("ls"), cmdline("bun", "src/cli.ts", "--", "other"), ["ls"]],
    ["-- not after the script", argv("ls"), cmdline("bun", "--", "ls"), ["ls"]],
    ["unicode", argv("é", "日本"), cmdline("bun", "src/cli.ts", "--", "é", "日本"), ["--", "é", "日本"]],
  ];
  test.each(cases)("%s", (_label, args, read, expected) => {
    expect(userArgs(args, read())).toEqual(expected);
  });
});
