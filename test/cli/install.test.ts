// `supervise install` through the real CLI, on settings files in a temporary HOME and project.

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

function homeEnv() {
  const home = join(sb.dir, "home");
  mkdirSync(home, { recursive: true });
  return { home, env: { HOME: home, CLAUDE_CONFIG_DIR: "" }, settings: join(home, ".claude", "settings.json") };
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const backups = (dir: string) => readdirSync(dir).filter((f) => f.includes("supervise-backup"));

/** `file` with the unified diff applied by patch(1), into a copy: the file itself is left as it is. */
function patched(file: string, diff: string): string {
  const copy = `${file}.patched`;
  const r = Bun.spawnSync(["patch", "-s", "-o", copy, file], { stdin: new TextEncoder().encode(diff), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`patch failed: ${r.stdout.toString()}${r.stderr.toString()}`);
  return readFileSync(copy, "utf8");
}

/** install's note on what the sandbox's environment bakes into the hooks (its own state dir and config). */
const bakedIn = (sb: Sandbox, project = false) =>
  ["SUPERVISE_HOME", "SUPERVISE_CONFIG"]
    .map((name) => `supervise: note: ${name}=${sb.env[name]} is set in this environment, so the hooks are written with it${project ? " (into files a team may commit)" : ""}; unset it to install hooks that use the default\n`)
    .join("");

describe("supervise install", () => {
  test("--user into a missing file: creates it with the three hooks, absolute paths, the state dir and config written in", async () => {
    sb = makeSandbox();
    const { env, settings } = homeEnv();
    const r = await runCli(sb, ["install"], { env });
    expect(r).toEqual({ exitCode: 0, stderr: bakedIn(sb), stdout: `installed supervise's hooks in ${settings}\n` });
    const hooks = read(settings).hooks;
    expect(Object.keys(hooks)).toEqual(["SessionStart", "SessionEnd", "PreToolUse", "UserPromptSubmit"]);
    const command: string = hooks.PreToolUse[0].hooks[0].command;
    expect(command).toStartWith(`SUPERVISE_HOME=${sb.home} SUPERVISE_CONFIG=${sb.configPath} ${process.execPath} `);
    expect(command).toEndWith("/src/cli.ts hook pre-tool-use");
    expect(hooks.PreToolUse[0].matcher).toBe("Bash");
    expect(backups(join(sb.dir, "home", ".claude"))).toEqual([]);
  });

  test("keeps other keys and hooks, backs the old file up, is idempotent, and --uninstall restores it", async () => {
    sb = makeSandbox();
    const { env, settings } = homeEnv();
    mkdirSync(join(sb.dir, "home", ".claude"));
    const original = { model: "x", hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "audit" }] }] }, permissions: { deny: ["Bash(rm *)"] } };
    writeFileSync(settings, JSON.stringify(original, null, 2));

    const first = await runCli(sb, ["install", "--user"], { env });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/\(previous file: .*settings\.json\.supervise-backup-.*\)\n$/);
    expect(backups(join(sb.dir, "home", ".claude"))).toHaveLength(1);
    const installed = read(settings);
    expect(installed.model).toBe("x");
    expect(installed.permissions).toEqual(original.permissions);
    expect(installed.hooks.PreToolUse[0]).toEqual(original.hooks.PreToolUse[0]);

    const again = await runCli(sb, ["install"], { env });
    expect(again).toEqual({ exitCode: 0, stderr: "", stdout: `${settings}: nothing to change\n` });
    expect(backups(join(sb.dir, "home", ".claude"))).toHaveLength(1);

    // The dry run prints a diff: patch(1) applied to a copy gives what the uninstall would write.
    const dry = await runCli(sb, ["install", "--uninstall", "--dry-run"], { env });
    expect(dry.stdout).toStartWith(`--- ${settings}\n+++ ${settings} (after)\n@@ `);
    expect(dry.stdout.split("\n").filter((line) => line.startsWith("-") && !line.startsWith("---")).some((line) => line.includes("hook session-start"))).toBe(true);
    expect(JSON.parse(patched(settings, dry.stdout))).toEqual(original);
    expect(dry.stderr).toBe(`supervise: dry run: would have removed supervise's hooks from ${settings}\n`);
    expect(read(settings)).toEqual(installed);

    expect((await runCli(sb, ["install", "--uninstall"], { env })).exitCode).toBe(0);
    expect(read(settings)).toEqual(original);
  });

  test("--project writes .claude/settings.json under the current directory, and says the file is a team's with this machine's paths", async () => {
    sb = makeSandbox();
    const { env } = homeEnv();
    const project = join(sb.dir, "proj");
    mkdirSync(project);
    const r = await runCli(sb, ["install", "--project"], { env, cwd: project });
    expect(r.exitCode).toBe(0);
    expect(read(join(project, ".claude", "settings.json")).hooks.SessionEnd[0].hooks[0].command).toEndWith("hook session-end");
    expect(existsSync(join(sb.dir, "home", ".claude"))).toBe(false);
    expect(r.stderr).toBe(
      `${bakedIn(sb, true)}supervise: note: .claude/settings.json is the file a team commits, and these hooks name this machine's paths; --local writes .claude/settings.local.json instead, kept out of git\n`,
    );
  });

  test("--local in a git work tree: the file and its backups are in the clone's .git/info/exclude, so git status shows neither, once", async () => {
    sb = makeSandbox();
    const { env } = homeEnv();
    const project = join(sb.dir, "repo");
    const sub = join(project, "pkg");
    mkdirSync(sub, { recursive: true });
    const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: project, stdout: "pipe", stderr: "pipe" }).stdout.toString();
    git("init", "-q");
    // A file there already: the install backs it up beside it.
    mkdirSync(join(sub, ".claude"));
    writeFileSync(join(sub, ".claude", "settings.local.json"), '{"permissions":{"allow":["Bash(ls)"]}}');
    const r = await runCli(sb, ["install", "--local"], { env, cwd: sub });
    expect(r.exitCode).toBe(0);
    const exclude = join(project, ".git", "info", "exclude");
    expect(r.stdout).toEndWith(`kept out of git: ${exclude} names it and its backups\n`);
    expect(readdirSync(join(sub, ".claude")).some((name) => name.includes("supervise-backup"))).toBe(true);
    expect(git("status", "--porcelain", "--untracked-files=all")).toBe("");
    await runCli(sb, ["install", "--local", "--uninstall"], { env, cwd: sub });
    await runCli(sb, ["install", "--local"], { env, cwd: sub });
    const lines = readFileSync(exclude, "utf8").split("\n");
    expect(lines.filter((line) => line === "/pkg/.claude/settings.local.json")).toHaveLength(1);
    expect(lines.filter((line) => line === "/pkg/.claude/settings.local.json.supervise-backup-*")).toHaveLength(1);
    expect(git("status", "--porcelain", "--untracked-files=all")).toBe("");
  });

  test("--local writes Claude Code's .claude/settings.local.json (kept out of git), checks and removes it there; other agents have no such file: exit 2", async () => {
    sb = makeSandbox();
    const { env } = homeEnv();
    const project = join(sb.dir, "proj");
    mkdirSync(project);
    const local = join(project, ".claude", "settings.local.json");
    const r = await runCli(sb, ["install", "--local"], { env, cwd: project });
    expect(r).toEqual({ exitCode: 0, stdout: `installed supervise's hooks in ${local}\n`, stderr: bakedIn(sb) });
    expect(Object.keys(read(local).hooks)).toEqual(["SessionStart", "SessionEnd", "PreToolUse", "UserPromptSubmit"]);
    expect(readdirSync(join(project, ".claude"))).toEqual(["settings.local.json"]);
    const checked = await runCli(sb, ["install", "--check", "--local"], { env, cwd: project });
    expect(checked.exitCode).toBe(0);
    expect(checked.stdout).toContain("ok    claude-code PreToolUse: answers JSON, exit 0");
    expect((await runCli(sb, ["install", "--local", "--uninstall"], { env, cwd: project })).exitCode).toBe(0);
    expect(existsSync(local)).toBe(false);
    for (const agent of ["gemini", "codex"]) {
      expect(await runCli(sb, ["install", "--local", "--agent", agent], { env, cwd: project })).toEqual({
        exitCode: 2,
        stdout: "",
        stderr: `supervise: --local is Claude Code's alone (.claude/settings.local.json): ${agent} has no per-user project file; use --project or --user\n`,
      });
    }
    expect((await runCli(sb, ["install", "--local", "--project"], { env, cwd: project })).stderr).toBe("supervise: --project and --local exclude each other\n");
    expect(existsSync(join(project, ".gemini")) || existsSync(join(project, ".codex")) || existsSync(join(sb.dir, "home", ".claude"))).toBe(false);
  });

  test("an empty file is treated as {}; --dry-run writes nothing", async () => {
    sb = makeSandbox();
    const { env, settings } = homeEnv();
    mkdirSync(join(sb.dir, "home", ".claude"));
    writeFileSync(settings, "");
    const dry = await runCli(sb, ["install", "--dry-run"], { env });
    expect(Object.keys(JSON.parse(patched(settings, dry.stdout)).hooks)).toHaveLength(4);
    expect(readFileSync(settings, "utf8")).toBe("");
    expect((await runCli(sb, ["install"], { env })).exitCode).toBe(0);
    expect(Object.keys(read(settings).hooks)).toHaveLength(4);
  });

  test("invalid JSON or a wrong shape: exit 2, one line, the file untouched; bad flags exit 2", async () => {
    sb = makeSandbox();
    const { env, settings } = homeEnv();
    mkdirSync(join(sb.dir, "home", ".claude"));
    for (const content of ["{ not json", "[1, 2]", '{"hooks": []}']) {
      writeFileSync(settings, content);
      const r = await runCli(sb, ["install"], { env });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toStartWith(`supervise: ${settings}`);
      expect(r.stderr).toEndWith("; not changed\n");
      expect(readFileSync(settings, "utf8")).toBe(content);
    }
    expect(backups(join(sb.dir, "home", ".claude"))).toEqual([]);
    expect((await runCli(sb, ["install", "--user", "--project"], { env })).exitCode).toBe(2);
  });
});
