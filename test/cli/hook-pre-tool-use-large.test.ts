// A large background command through the real hook CLI: its rewrite keeps the policy mirror
// and passes the text once (a file the wrapper reads), so every argument of every process on
// its way stays under the kernel's limit for one argument (MAX_ARG_STRLEN, 128 KiB), and it
// runs. What cannot be rewritten so is left as it is, with one stderr line saying why.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeToolCall, BeforeToolOutputSchema, PreToolUseOutputSchema, preToolUseCall as call } from "../helpers/contract.ts";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";
import { agentArgumentBytes, ARG_LIMIT, doubleQuoted } from "../../src/hooks/wrap-background.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const NO_PERIODIC = { hooks: { reapInterval: "none" } };
/** MAX_ARG_STRLEN: 32 pages, the terminating NUL included. */
const MAX_ARG_STRLEN = 128 * 1024;

/** A command of about `size` bytes that records the argument lengths of its own shell and of its parent (the wrapper). */
const large = (size: number, dir: string) => `: '${"x".repeat(size)}'; for p in $$ $PPID; do tr '\\0' '\\n' < /proc/$p/cmdline | awk '{ print length }' > ${dir}/lengths.$p; done; echo ran > ${dir}/ran`;

async function rewrite(input: unknown, agent: string[] = []): Promise<{ command: string | null; stderr: string; exitCode: number }> {
  const r = await runCli(sb, ["hook", ...agent, "pre-tool-use"], { stdin: JSON.stringify(input) });
  if (r.stdout === "{}\n") return { command: null, stderr: r.stderr, exitCode: r.exitCode };
  const out = JSON.parse(r.stdout);
  const command = agent.length ? BeforeToolOutputSchema.parse(out).hookSpecificOutput.tool_input.command : PreToolUseOutputSchema.parse(out).hookSpecificOutput.updatedInput.command;
  return { command, stderr: r.stderr, exitCode: r.exitCode };
}

/** What the agent does with the rewrite: one `bash -c` (spawn fails with E2BIG for an argument past the limit). */
async function asTheAgent(command: string): Promise<number> {
  const proc = Bun.spawn(["bash", "-c", command], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  sb.track(proc.pid);
  return proc.exited;
}

const commandFiles = () => (existsSync(join(sb.home, "commands")) ? readdirSync(join(sb.home, "commands")) : []);

describe("a large background command through the real hook", () => {
  test("66 KB: rewritten with the mirror and the text once; it runs (exit 0), every argument on its way < 128 KiB; the file (0600) is gone once read", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const original = large(66_000, sb.dir);
    const r = await rewrite(call({ command: original, run_in_background: true }));
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: "" });
    const command = r.command!;
    // The mirror the permission rules judge holds the whole original.
    expect(command.startsWith(`false && bash -c ${doubleQuoted(original)}; `)).toBe(true);
    expect(command).toMatch(/ --arg-file \S+\/commands\/[0-9a-f-]+\.sh -- bash -c$/);
    expect(agentArgumentBytes(command)).toBeLessThan(ARG_LIMIT);
    const [file] = commandFiles();
    expect(statSync(join(sb.home, "commands", file!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(sb.home, "commands", file!), "utf8")).toBe(original);

    expect(await asTheAgent(command)).toBe(0);
    expect(readFileSync(join(sb.dir, "ran"), "utf8")).toBe("ran\n");
    const lengths = readdirSync(sb.dir).filter((name) => name.startsWith("lengths.")).flatMap((name) => readFileSync(join(sb.dir, name), "utf8").trim().split("\n").map(Number));
    expect(lengths.length).toBeGreaterThan(6);
    expect(Math.max(...lengths)).toBeLessThan(MAX_ARG_STRLEN);
    expect(commandFiles()).toEqual([]);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ session: "sess-1", state: "exited", exitStatus: 0, command: ["bash", "-c", original] });
  });

  test("Gemini: the same, through BeforeTool", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const original = large(66_000, sb.dir);
    const r = await rewrite(beforeToolCall({ command: original, is_background: true }), ["--agent", "gemini"]);
    expect(r.stderr).toBe("");
    expect(r.command).toContain(" --arg-file ");
    expect(await asTheAgent(r.command!)).toBe(0);
    expect(existsSync(join(sb.dir, "ran"))).toBe(true);
  });

  test("Claude Code: a 6 KB command, which it judges, gets a rewrite it still judges (10,000 characters at most)", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const original = `echo ok > ${sb.dir}/ran; : '${"x".repeat(6_000)}'`;
    const r = await rewrite(call({ command: original, run_in_background: true }));
    expect(r.command!.length).toBeLessThanOrEqual(10_000);
    expect(await asTheAgent(r.command!)).toBe(0);
    expect(existsSync(join(sb.dir, "ran"))).toBe(true);
  });

  const untouched: Array<[label: string, size: number, why: string]> = [
    ["9,900 bytes: Claude Code judges it as it is, and would not judge any rewrite", 9_900, "past the 10000 up to which the agent judges a command by the permission rules; leaving it as it is"],
    ["140 KB: past the limit for one argument even once", 140_000, "past the kernel's limit of 131072; leaving it as it is"],
  ];
  test.each(untouched)("left as it is, one stderr line: %s", async (_label, size, why) => {
    sb = makeSandbox(NO_PERIODIC);
    const r = await rewrite(call({ command: `: '${"x".repeat(size)}'`, run_in_background: true }));
    expect(r.command).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toStartWith("supervise: hook: not wrapping the background command: wrapped even with the command in it once, ");
    expect(r.stderr).toEndWith(`${why}\n`);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(commandFiles()).toEqual([]);
  });

  test("a state dir the hook cannot write to: left as it is, one stderr line", async () => {
    sb = makeSandbox(NO_PERIODIC);
    mkdirSync(sb.home, { recursive: true });
    // A file where the commands directory would be.
    writeFileSync(join(sb.home, "commands"), "");
    const r = await rewrite(call({ command: large(66_000, sb.dir), run_in_background: true }));
    expect(r.command).toBeNull();
    expect(r.stderr).toStartWith("supervise: hook: not wrapping the background command: ");
  });

  test("a file of a call never run (denied) goes a day later, when the next one is written; a newer one stays", async () => {
    sb = makeSandbox(NO_PERIODIC);
    const dir = join(sb.home, "commands");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "old.sh"), "x");
    writeFileSync(join(dir, "recent.sh"), "x");
    const dayAgo = (Date.now() - 25 * 60 * 60 * 1000) / 1000;
    utimesSync(join(dir, "old.sh"), dayAgo, dayAgo);
    await rewrite(call({ command: large(66_000, sb.dir), run_in_background: true }));
    const left = commandFiles();
    expect(left).toContain("recent.sh");
    expect(left).not.toContain("old.sh");
    expect(left).toHaveLength(2);
  });
});
