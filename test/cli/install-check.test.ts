// `supervise install --check`: a line per check of the installed hooks (their paths; the
// handlers that never sweep, run with bad input, answer JSON and exit 0) and of the state
// dir and ledger; exit 1 when any fails. SessionStart is never run: it sweeps.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shellWords } from "../../src/install/check.ts";
import { runCli } from "../helpers/cli.ts";
import { CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

function setup() {
  // The hooks never sweep here: PreToolUse is fed bad input, and reapInterval is none besides.
  sb = makeSandbox({ hooks: { reapInterval: "none" } });
  const home = join(sb.dir, "home");
  mkdirSync(home);
  return { sb, env: { HOME: home, CLAUDE_CONFIG_DIR: "" }, settings: join(home, ".claude", "settings.json") };
}

describe("supervise install --check", () => {
  test("hooks installed: every check ok, exit 0; SessionStart's paths only", async () => {
    const { sb, env } = setup();
    expect((await runCli(sb, ["install"], { env })).exitCode).toBe(0);
    await runCli(sb, ["run", "--", "true"], { env });
    const r = await runCli(sb, ["install", "--check"], { env });
    expect([r.exitCode, r.stderr]).toEqual([0, ""]);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toEqual([
      `ok    claude-code SessionStart: ${CLI} is there (not run: SessionStart sweeps)`,
      expect.stringMatching(/^ok {4}claude-code SessionEnd: answers JSON, exit 0, in \d+ ms$/),
      expect.stringMatching(/^ok {4}claude-code PreToolUse: answers JSON, exit 0, in \d+ ms$/),
      expect.stringMatching(/^ok {4}claude-code UserPromptSubmit: answers JSON, exit 0, in \d+ ms$/),
      `ok    state dir ${sb.home}: writable`,
      "ok    ledger: reads whole",
    ]);
  });

  test("a hook whose CLI is gone (the checkout moved), an agent never installed, a state dir that is a file: FAIL lines, exit 1", async () => {
    const { sb, env, settings } = setup();
    await runCli(sb, ["install"], { env });
    writeFileSync(settings, readFileSync(settings, "utf8").replaceAll(CLI, "/moved/away/src/cli.ts"));
    rmSync(sb.home, { recursive: true, force: true });
    writeFileSync(sb.home, "");
    const r = await runCli(sb, ["install", "--check", "--agent", "claude-code", "--agent", "codex"], { env });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("FAIL")).map((l) => l.replace(/:.*/, ""))).toEqual([
      "FAIL  claude-code SessionStart",
      "FAIL  claude-code SessionEnd",
      "FAIL  claude-code PreToolUse",
      "FAIL  claude-code UserPromptSubmit",
      "FAIL  codex",
      "FAIL  state dir " + sb.home,
      "FAIL  ledger",
    ]);
    expect(lines[0]).toContain("/moved/away/src/cli.ts is gone: the hook would fail and the agent go on without supervise");
  });
});

describe("shellWords", () => {
  test("install's own quoting; anything a shell would do more with is refused", () => {
    expect(shellWords(`SUPERVISE_HOME='/a b' '/usr/bin/bun' /x/cli.ts hook pre-tool-use`)).toEqual(["SUPERVISE_HOME=/a b", "/usr/bin/bun", "/x/cli.ts", "hook", "pre-tool-use"]);
    expect(shellWords(`a "b c" d\\ e`)).toEqual(["a", "b c", "d e"]);
    for (const bad of ["a; b", "a $(b)", "a 'b", "a | b"]) expect(shellWords(bad)).toBeNull();
  });
});
