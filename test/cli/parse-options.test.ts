import { describe, expect, test } from "bun:test";
import { parseOptions } from "../../src/cli/parse-options.ts";
import { UsageError } from "../../src/errors.ts";
import { RUN_FLAGS } from "../../src/run/options.ts";

const run = (args: string[]) => parseOptions(args, RUN_FLAGS, { stopAtPositional: true });

describe("parseOptions for run", () => {
  test.each([
    [["-d", "5m", "sleep", "10"], { deadline: "5m" }, ["sleep", "10"]],
    [["--deadline=5m", "sleep"], { deadline: "5m" }, ["sleep"]],
    [["-d5m", "sleep"], { deadline: "5m" }, ["sleep"]],
    [["--deadline", "5m", "--", "sleep", "-d", "1"], { deadline: "5m" }, ["sleep", "-d", "1"]],
    [["sleep", "-d", "1"], {}, ["sleep", "-d", "1"]],
    [["--keep-orphaned", "--preserve-status", "x"], { "keep-orphaned": true, "preserve-status": true }, ["x"]],
    [["-n", "my job", "x"], { name: "my job" }, ["x"]],
    [["--", "--", "x"], {}, ["--", "x"]],
    [["-d", "--", "x"], { deadline: "--" }, ["x"]],
    [["-", "x"], {}, ["-", "x"]],
  ] as const)("%p", (args, options, positionals) => {
    const parsed = run([...args]);
    expect(parsed.options).toEqual(options as any);
    expect(parsed.positionals).toEqual([...positionals]);
  });

  test.each([
    [["--bogus", "x"], "unknown option '--bogus'"],
    [["-z", "x"], "unknown option '-z'"],
    [["--deadline"], "option '--deadline' needs a value"],
    [["-d"], "option '-d' needs a value"],
    [["--keep-orphaned=yes", "x"], "option '--keep-orphaned' takes no value"],
    [["--__proto__", "x"], "unknown option '--__proto__'"],
    [["--constructor", "x"], "unknown option '--constructor'"],
  ] as const)("%p fails with %p, a usage error (exit 2; run's boundary makes it 125)", (args, message) => {
    const error = (() => {
      try {
        run([...args]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ message, exitCode: 2 });
  });
});

describe("parseOptions: how many positionals a command takes", () => {
  test.each([
    ["none, none given", [], 0, null],
    ["none, one given", ["x"], 0, "unexpected argument 'x'"],
    ["one, one given", ["a1"], 1, null],
    ["one, none given: the command's own words", [], 1, "missing entry id"],
    ["one, two given: the second is unexpected", ["a1", "b2"], 1, "unexpected argument 'b2'"],
    ["any", ["a", "b", "c"], "many", null],
  ] as const)("%s", (_name, words, positionals, error) => {
    const parse = () => parseOptions([...words, "--json"], { json: {} }, { positionals, missing: "missing entry id" });
    if (error === null) expect(parse().positionals).toEqual([...words]);
    else expect(parse).toThrow(error);
  });
});

describe("parseOptions for other commands", () => {
  test("collects positionals around flags", () => {
    const parsed = parseOptions(["a", "--json", "b"], { json: {} });
    expect(parsed.options).toEqual({ json: true });
    expect(parsed.positionals).toEqual(["a", "b"]);
  });
});
