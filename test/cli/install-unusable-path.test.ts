// `supervise install` where a settings file cannot be: the path is a directory, or runs
// through a file. A usage error naming the path, one line, and no file changed.

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

function homeEnv() {
  const home = join(sb.dir, "home");
  mkdirSync(home, { recursive: true });
  return { home, env: { HOME: home, CLAUDE_CONFIG_DIR: "", GEMINI_CLI_HOME: "", CODEX_HOME: "" } };
}

const refused = (path: string) => ({ exitCode: 2, stdout: "", stderr: `supervise: ${path} is a directory, not a file; not changed\n` });

describe("supervise install: a settings path that cannot hold a file", () => {
  test.each([
    ["claude-code", [".claude", "settings.json"]],
    ["gemini", [".gemini", "settings.json"]],
    ["codex", [".codex", "hooks.json"]],
  ])("--agent %s: the settings path is a directory", async (agent, parts) => {
    sb = makeSandbox();
    const { home, env } = homeEnv();
    const path = join(home, ...parts);
    mkdirSync(path, { recursive: true });
    expect(await runCli(sb, ["install", "--agent", agent], { env })).toEqual(refused(path));
    expect(await runCli(sb, ["install", "--agent", agent, "--dry-run"], { env })).toEqual(refused(path));
    expect(readdirSync(path)).toEqual([]);
  });

  test("--agent codex: config.toml is a directory; hooks.json is not written either", async () => {
    sb = makeSandbox();
    const { home, env } = homeEnv();
    const config = join(home, ".codex", "config.toml");
    mkdirSync(config, { recursive: true });
    expect(await runCli(sb, ["install", "--agent", "codex"], { env })).toEqual(refused(config));
    expect(existsSync(join(home, ".codex", "hooks.json"))).toBe(false);
  });

  test("--project: .claude/settings.json under the project is a directory", async () => {
    sb = makeSandbox();
    const { env } = homeEnv();
    const project = join(sb.dir, "proj");
    const path = join(project, ".claude", "settings.json");
    mkdirSync(path, { recursive: true });
    expect(await runCli(sb, ["install", "--project"], { env, cwd: project })).toEqual(refused(path));
  });

  test("~/.claude is a file: refused before anything is written", async () => {
    sb = makeSandbox();
    const { home, env } = homeEnv();
    writeFileSync(join(home, ".claude"), "not a directory");
    const path = join(home, ".claude", "settings.json");
    expect(await runCli(sb, ["install"], { env })).toEqual({ exitCode: 2, stdout: "", stderr: `supervise: ${path}: a part of that path is not a directory; not changed\n` });
  });
});

describe("supervise install in a removed working directory", () => {
  test("--project: a usage error naming it; the user scope still installs", async () => {
    sb = makeSandbox();
    const { home, env } = homeEnv();
    const gone = join(sb.dir, "gone");
    const inRemoved = (args: string) => {
      const script = `mkdir "$1" && cd "$1" && rmdir "$1" && exec "$BUN" "$CLI" ${args}`;
      const proc = Bun.spawn(["bash", "-c", script, "bash", gone], { env: { ...sb.env, ...env, BUN, CLI }, stdout: "pipe", stderr: "pipe" });
      sb.track(proc.pid);
      return Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]).then(([stdout, stderr, exitCode]) => ({ stdout, stderr, exitCode }));
    };
    expect(await inRemoved("install --project")).toEqual({ exitCode: 2, stdout: "", stderr: `supervise: the working directory ${gone} was removed; nothing to install --project into\n` });
    const user = await inRemoved("install");
    // The sandbox's own state dir and config go into the hook: install says so first.
    const baked = ["SUPERVISE_HOME", "SUPERVISE_CONFIG"].map((name) => `supervise: note: ${name}=${sb.env[name]} is set in this environment, so the hooks are written with it; unset it to install hooks that use the default\n`).join("");
    expect(user).toEqual({ exitCode: 0, stderr: baked, stdout: `installed supervise's hooks in ${join(home, ".claude", "settings.json")}\n` });
  });
});
