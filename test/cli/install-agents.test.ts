// `supervise install --agent gemini|codex` through the real CLI, in a temporary HOME: each
// agent's own file and units, Codex's trust in config.toml, idempotence, an exact uninstall,
// and a refusal that changes no file at all.

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

function homeEnv() {
  const home = join(sb.dir, "home");
  mkdirSync(join(home, ".gemini"), { recursive: true });
  mkdirSync(join(home, ".codex"), { recursive: true });
  return {
    env: { HOME: home, GEMINI_CLI_HOME: "", CODEX_HOME: "" },
    gemini: join(home, ".gemini", "settings.json"),
    hooks: join(home, ".codex", "hooks.json"),
    config: join(home, ".codex", "config.toml"),
  };
}

const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const USER_GEMINI = { ui: { theme: "Dracula" }, hooks: { AfterTool: [{ matcher: "write_file", hooks: [{ type: "command", command: "lint", timeout: 9000 }] }] } };
const USER_TOML = '# my codex\nmodel = "o3"\n\n[projects."/work"]\ntrust_level = "trusted"\n';

/** install's note on what the sandbox's environment bakes into the hooks (its own state dir and config). */
const bakedIn = (sb: Sandbox, project = false) =>
  ["SUPERVISE_HOME", "SUPERVISE_CONFIG"]
    .map((name) => `supervise: note: ${name}=${sb.env[name]} is set in this environment, so the hooks are written with it${project ? " (into files a team may commit)" : ""}; unset it to install hooks that use the default\n`)
    .join("");

describe("supervise install --agent gemini --agent codex", () => {
  test("each agent's file, in its own terms; Codex's trust recorded; idempotent; --uninstall gives the files back", async () => {
    sb = makeSandbox();
    const { env, gemini, hooks, config } = homeEnv();
    writeFileSync(gemini, JSON.stringify(USER_GEMINI));
    writeFileSync(config, USER_TOML);
    const r = await runCli(sb, ["install", "--agent", "gemini", "--agent", "codex"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(bakedIn(sb));
    expect(r.stdout.split("\n").filter(Boolean).map((line) => line.replace(/ \(previous file: .*\)$/, ""))).toEqual([
      `installed supervise's hooks in ${gemini}`,
      `installed supervise's hooks in ${hooks}`,
      `recorded Codex's trust in supervise's hooks in ${config}`,
    ]);

    const g = read(gemini);
    expect(g.ui).toEqual(USER_GEMINI.ui);
    // The user's own AfterTool group stays first; supervise's is added after it.
    expect(g.hooks.AfterTool[0]).toEqual(USER_GEMINI.hooks.AfterTool[0]);
    expect(g.hooks.AfterTool[1].hooks[0].command).toEndWith("/src/cli.ts hook --agent gemini post-tool-use");
    expect(Object.keys(g.hooks)).toEqual(["AfterTool", "SessionStart", "SessionEnd", "BeforeTool", "BeforeAgent"]);
    expect(g.hooks.BeforeTool[0].matcher).toBe("run_shell_command");
    // Gemini's timeouts are milliseconds.
    expect([g.hooks.SessionStart, g.hooks.SessionEnd, g.hooks.BeforeTool].map((groups: any) => groups[0].hooks[0].timeout)).toEqual([30_000, 5_000, 30_000]);
    expect(g.hooks.BeforeTool[0].hooks[0].command).toEndWith("/src/cli.ts hook --agent gemini pre-tool-use");

    const c = read(hooks);
    expect(Object.keys(c.hooks)).toEqual(["SessionStart", "SessionEnd", "UserPromptSubmit", "PostToolUse"]);
    // Codex's are seconds, and SessionEnd's is capped at 3.
    expect([c.hooks.SessionStart[0].hooks[0].timeout, c.hooks.SessionEnd[0].hooks[0].timeout]).toEqual([30, 3]);
    const toml = readFileSync(config, "utf8");
    expect(toml.startsWith(USER_TOML)).toBe(true);
    const state = (Bun.TOML.parse(toml) as any).hooks.state;
    expect(Object.keys(state)).toEqual([`${hooks}:session_start:0:0`, `${hooks}:session_end:0:0`, `${hooks}:user_prompt_submit:0:0`, `${hooks}:post_tool_use:0:0`]);
    for (const entry of Object.values(state) as any[]) expect(entry.trusted_hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    const again = await runCli(sb, ["install", "--agent", "codex", "--agent", "gemini", "--agent", "codex"], { env });
    // In the order asked for, each agent once.
    expect(again).toEqual({ exitCode: 0, stderr: "", stdout: `${hooks}: nothing to change\n${config}: nothing to change\n${gemini}: nothing to change\n` });

    const un = await runCli(sb, ["install", "--agent", "gemini", "--agent", "codex", "--uninstall"], { env });
    expect(un.exitCode).toBe(0);
    expect(read(gemini)).toEqual(USER_GEMINI);
    // hooks.json held only supervise's hooks: install made it, the uninstall removes it.
    expect(existsSync(hooks)).toBe(false);
    expect(un.stdout).toContain(`removed supervise's hooks from ${hooks}, now empty: removed it (previous file: `);
    expect(readFileSync(config, "utf8")).toBe(USER_TOML);
    // At most one backup per file: the one from before the last change.
    const backups = (file: string) => readdirSync(dirname(file)).filter((name) => name.startsWith(`${basename(file)}.supervise-backup-`));
    expect([backups(gemini).length, backups(hooks).length, backups(config).length]).toEqual([1, 1, 1]);
    expect(readFileSync(join(dirname(gemini), backups(gemini)[0]!), "utf8")).not.toBe(JSON.stringify(USER_GEMINI));
  });

  test("a config.toml that is not valid TOML: exit 2, one line, no file changed or created", async () => {
    sb = makeSandbox();
    const { env, gemini, hooks, config } = homeEnv();
    writeFileSync(config, "model = \n[[[");
    const r = await runCli(sb, ["install", "--agent", "gemini", "--agent", "codex"], { env });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toStartWith(`supervise: ${config} is not valid TOML`);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect([existsSync(gemini), existsSync(hooks), readFileSync(config, "utf8")]).toEqual([false, false, "model = \n[[["]);
  });

  test("an unknown agent is a usage error", async () => {
    sb = makeSandbox();
    const { env } = homeEnv();
    const r = await runCli(sb, ["install", "--agent", "cursor"], { env });
    expect(r).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: --agent takes one of claude-code, codex, gemini (not 'cursor')\n" });
  });

  test("--project: one line on how to trust the folder, only while the agent does not trust it", async () => {
    sb = makeSandbox();
    const { env, config } = homeEnv();
    const project = join(sb.dir, "project");
    mkdirSync(project);
    const untrusted = await runCli(sb, ["install", "--agent", "gemini", "--agent", "codex", "--project"], { env, cwd: project });
    expect(untrusted.exitCode).toBe(0);
    expect(untrusted.stderr).toStartWith(bakedIn(sb, true));
    const hints = untrusted.stderr.slice(bakedIn(sb, true).length).split("\n").filter(Boolean);
    expect(hints).toHaveLength(2);
    expect(hints[0]).toContain(`"${project}": "TRUST_FOLDER"`);
    expect(hints[1]).toContain(`[projects."${project}"] trust_level = "trusted"`);
    // The hooks went into the project, their trust into the user's config.toml.
    expect((Bun.TOML.parse(readFileSync(config, "utf8")) as any).hooks.state[`${project}/.codex/hooks.json:session_start:0:0`]).toBeDefined();

    writeFileSync(join(sb.dir, "home", ".gemini", "trustedFolders.json"), JSON.stringify({ [join(project, "x")]: "TRUST_PARENT" }));
    writeFileSync(config, `${readFileSync(config, "utf8")}\n[projects.${JSON.stringify(sb.dir)}]\ntrust_level = "trusted"\n`);
    const trusted = await runCli(sb, ["install", "--agent", "gemini", "--agent", "codex", "--project"], { env, cwd: project });
    expect(trusted).toMatchObject({ exitCode: 0, stderr: "" });
  });

  test("--agent gemini: a settings.json with comments, as Gemini reads it, is installed into; the comments' loss is said, and the backup keeps them", async () => {
    sb = makeSandbox();
    const { env, gemini } = homeEnv();
    const commented = '{\n  // my theme\n  "ui": { "theme": "Dracula" }, /* the rest */\n  "model": { "name": "gemini-2.5-pro" }\n}\n';
    writeFileSync(gemini, commented);
    const r = await runCli(sb, ["install", "--agent", "gemini"], { env });
    expect(r.exitCode).toBe(0);
    const backup = / \(previous file: (.*)\)$/.exec(r.stdout.trim())![1]!;
    expect(r.stderr).toBe(`${bakedIn(sb)}supervise: the comments in ${gemini} are not kept in the rewritten file; the previous file, with them, is ${backup}\n`);
    expect(readFileSync(backup, "utf8")).toBe(commented);
    const g = read(gemini);
    expect(g.ui).toEqual({ theme: "Dracula" });
    expect(g.model).toEqual({ name: "gemini-2.5-pro" });
    expect(Object.keys(g.hooks)).toEqual(["SessionStart", "SessionEnd", "BeforeTool", "BeforeAgent", "AfterTool"]);
  });
});
