// The rewrite with the real agent CLIs (pinned dev dependencies), driven offline by mocks of
// their model APIs, each inside a PID namespace: a large background command runs, and the
// user's deny rules still judge what they judged without supervise: long commands, and
// commands with single quotes in them.

import { describe, expect, setDefaultTimeout } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { agentSuite } from "../helpers/agent-e2e.ts";
import { startMockAnthropic } from "../helpers/mock-anthropic.ts";
import { startMockGemini } from "../helpers/mock-gemini.ts";
import { inNamespace } from "../helpers/namespace.ts";
import type { Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(150_000);
const claude = agentSuite("Claude Code CLI", "claude");
const gemini = agentSuite("Gemini CLI", "gemini");
const filler = (size: number) => `: '${"x".repeat(size)}'`;
const NO_SWEEP = { hooks: { reapInterval: "none" } };

async function claudeProject(sb: Sandbox, deny: string[] = []): Promise<string> {
  const home = join(sb.dir, "home");
  const project = join(sb.dir, "project");
  mkdirSync(home);
  mkdirSync(project);
  const installed = await runCli(sb, ["install", "--project"], { env: { HOME: home, CLAUDE_CONFIG_DIR: "" }, cwd: project });
  expect(installed.exitCode).toBe(0);
  const settingsPath = join(project, ".claude", "settings.json");
  if (deny.length) writeFileSync(settingsPath, JSON.stringify({ ...JSON.parse(readFileSync(settingsPath, "utf8")), permissions: { deny } }));
  Object.assign(sb.env, { CLAUDE: claude.bin, PROJ: project, HOME_DIR: home, ANTHROPIC_API_KEY: "test-key", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
  return project;
}

const runClaude = (api: string) => String.raw`
cd "$PROJ"
HOME="$HOME_DIR" CLAUDE_CONFIG_DIR= ANTHROPIC_BASE_URL="${api}" "$CLAUDE" -p "go" --allowedTools Bash > /dev/null 2>&1
echo "EXIT $?"
`;

const toolResults = (requests: any[]) => requests.flatMap((q) => q.messages).flatMap((m: any) => (Array.isArray(m.content) ? m.content : [])).filter((b: any) => b.type === "tool_result");

describe("Claude Code (real CLI)", () => {
  claude.e2e("a 66 KB background command runs under supervise (it failed with E2BIG: the rewrite held it twice)", async () => {
    const sb = claude.sandbox(NO_SWEEP);
    await claudeProject(sb);
    const api = claude.mock(startMockAnthropic({ calls: [{ command: `${filler(66_000)}; echo "$SUPERVISE_ID" > ${sb.dir}/ran`, description: "big", run_in_background: true }] }));
    const r = await inNamespace(sb, runClaude(api.url) + String.raw`wait_until '[ -s "$D/ran" ]'; echo "RAN $(cat "$D/ran")"`, 90_000);
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    expect(toolResults(api.requests)[0]).toMatchObject({ is_error: false });
    const [entry] = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout);
    expect(r.values.get("RAN")).toBe(entry.id);
  });

  claude.e2e("deny rules still judge it: a 6 KB `rm` (its rewrite held twice passed the 10,000 characters Claude Code judges) and a 9.9 KB one (left unwrapped)", async () => {
    const sb = claude.sandbox(NO_SWEEP);
    await claudeProject(sb, ["Bash(rm:*)"]);
    writeFileSync(join(sb.dir, "victim1"), "keep me");
    writeFileSync(join(sb.dir, "victim2"), "keep me");
    const api = claude.mock(
      startMockAnthropic({
        calls: [
          { command: `${filler(6_000)}; rm -rf ${sb.dir}/victim1 | sleep 1`, description: "clean", run_in_background: true },
          { command: `${filler(9_850)}; rm -rf ${sb.dir}/victim2 | sleep 1`, description: "clean", run_in_background: true },
        ],
      }),
    );
    const r = await inNamespace(sb, runClaude(api.url) + String.raw`echo "VICTIMS $([ -e "$D/victim1" ] && echo kept || echo deleted) $([ -e "$D/victim2" ] && echo kept || echo deleted)"`, 90_000);
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("VICTIMS")).toBe("kept kept");
    // Each call was refused (the CLI may ask for a refused one again).
    const results = toolResults(api.requests);
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.every((result: any) => result.is_error === true)).toBe(true);
  });
});

describe("Gemini CLI (real)", () => {
  gemini.e2e("a policy still denies a command with single quotes in it, short or 66 KB (the mirror in single quotes hid it: Gemini does not unquote '\\'')", async () => {
    const sb = gemini.sandbox(NO_SWEEP);
    const home = join(sb.dir, "home");
    const project = join(sb.dir, "project");
    mkdirSync(join(home, ".gemini", "policies"), { recursive: true });
    mkdirSync(project);
    expect((await runCli(sb, ["install", "--agent", "gemini", "--project"], { env: { HOME: home }, cwd: project })).exitCode).toBe(0);
    writeFileSync(join(home, ".gemini", "trustedFolders.json"), JSON.stringify({ [project]: "TRUST_FOLDER" }));
    writeFileSync(join(home, ".gemini", "settings.json"), JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } }, privacy: { usageStatisticsEnabled: false } }));
    writeFileSync(join(home, ".gemini", "policies", "deny.toml"), '[[rule]]\ntoolName = "run_shell_command"\ncommandPrefix = "rm -rf"\ndecision = "deny"\npriority = 100\n');
    writeFileSync(join(sb.dir, "victim1"), "keep me");
    writeFileSync(join(sb.dir, "victim2"), "keep me");
    Object.assign(sb.env, { GEMINI: gemini.bin, GHOME: home, PROJ: project });
    const api = gemini.mock(
      startMockGemini({
        calls: [
          { command: `${filler(10)}; rm -rf ${sb.dir}/victim1; sleep 1`, description: "clean", is_background: true },
          { command: `${filler(66_000)}; rm -rf ${sb.dir}/victim2; sleep 1`, description: "clean", is_background: true },
        ],
      }),
    );
    const r = await inNamespace(
      sb,
      String.raw`
mkdir -p "$D/tmp"; cd "$PROJ"
HOME="$GHOME" TMPDIR="$D/tmp" GEMINI_API_KEY=fake GOOGLE_GEMINI_BASE_URL=${api.url} "$GEMINI" -m gemini-2.5-flash -p "clean up" --yolo -o json < /dev/null > /dev/null 2>&1
echo "EXIT $?"
echo "VICTIMS $([ -e "$D/victim1" ] && echo kept || echo deleted) $([ -e "$D/victim2" ] && echo kept || echo deleted)"
`,
      120_000,
    );
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("VICTIMS")).toBe("kept kept");
    const denials = api.requests.filter((q: any) => JSON.stringify(q.contents?.at(-1) ?? {}).includes("Tool execution denied by policy."));
    expect(denials).toHaveLength(2);
    expect(existsSync(join(sb.home, "commands")) ? require("node:fs").readdirSync(join(sb.home, "commands")) : []).toHaveLength(1);
  });
});
