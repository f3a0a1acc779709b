// The paths users feel (every wrapped command, every ls, every tool call's hook) load neither
// zod nor pino: nothing else would notice an import that undid it. Nor the Node builtins that
// cost start-up where they are not needed: node:tty anywhere (it loads Node's streams), and on
// the foreground hook node:fs and node:os (src/lazy-fs.ts, state-dir.ts), read from the
// static imports of the modules each path loads (a builtin is not listed among them).

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const RECORDER = join(import.meta.dir, "..", "fixtures", "record-modules.ts");

/** The modules one CLI run loaded, as paths relative to the repository ("src/...", "node_modules/..."). */
async function modulesLoadedBy(args: string[], stdin = "", expectedStderr = ""): Promise<string[]> {
  const out = join(sb.dir, "modules.txt");
  const proc = Bun.spawn([BUN, "--preload", RECORDER, CLI, ...args], {
    env: { ...sb.env, RECORD_MODULES_TO: out },
    cwd: sb.dir,
    stdin: new TextEncoder().encode(stdin),
    stdout: "ignore",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  const [stderr, code] = await Promise.all([proc.stderr.text(), proc.exited]);
  expect({ stderr, code }).toEqual({ stderr: expectedStderr, code: 0 });
  const root = join(import.meta.dir, "..", "..") + "/";
  return readFileSync(out, "utf8").split("\n").map((path) => path.replace(root, ""));
}

/** The node: builtins the loaded modules import statically (type-only imports are erased). */
function builtinsImportedBy(modules: readonly string[]): string[] {
  const root = join(import.meta.dir, "..", "..");
  const found = new Set<string>();
  for (const m of modules.filter((m) => m.startsWith("src/"))) {
    for (const [, name] of readFileSync(join(root, m), "utf8").matchAll(/^(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s+"(node:[^"]+)"/gm)) found.add(name!);
  }
  return [...found].sort();
}

const HEAVY = [/^node_modules\/zod\//, /^node_modules\/pino\//, /^src\/config\/schema\.ts$/, /^src\/hooks\/input-schema\.ts$/];
const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((re) => re.test(m)));
const call = (command: string, background: boolean) =>
  JSON.stringify({ session_id: "s", cwd: "/", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command, run_in_background: background } });

describe("modules loaded on the hot paths", () => {
  test("run, ls --json and hook pre-tool-use (foreground and background) load neither zod nor pino", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    // The first run of a new state dir (a cold config cache) validates the config without zod too: a waiting wrapper keeps what it loaded.
    const first = await modulesLoadedBy(["run", "--", "true"]);
    expect(heavyIn(first)).toEqual([]);
    expect(first).toContain("src/config/check.ts");
    await modulesLoadedBy(["hook", "pre-tool-use"], call("ls", true));

    const run = await modulesLoadedBy(["run", "--", "true"]);
    expect(run).toContain("src/run/wrapper.ts");
    expect(heavyIn(run)).toEqual([]);
    const ls = await modulesLoadedBy(["ls", "--json"]);
    expect(ls).toContain("src/commands/ls.ts");
    expect(heavyIn(ls)).toEqual([]);
    const foreground = await modulesLoadedBy(["hook", "pre-tool-use"], call("ls", false));
    expect(foreground).toContain("src/hooks/input.ts");
    expect(heavyIn(foreground)).toEqual([]);
    // Each module costs start-up (about 0.65 ms here): a foreground call loads neither the rewrite nor a /proc reader.
    expect(foreground.filter((m) => /^src\/(proc\/|hooks\/wrap-background|render\/shell-quote|text\/nearest|policy\/keep)/.test(m))).toEqual([]);
    expect(builtinsImportedBy(foreground)).toEqual(["node:path"]);
    expect(builtinsImportedBy(ls)).toEqual([]);
    expect(builtinsImportedBy(run)).not.toContain("node:tty");
    expect(builtinsImportedBy(run)).not.toContain("node:fs/promises");
    const background = await modulesLoadedBy(["hook", "pre-tool-use"], call("sleep 1", true));
    expect(background).toContain("src/hooks/pre-tool-use.ts");
    expect(background).toContain("src/hooks/wrap-background.ts");
    expect(heavyIn(background)).toEqual([]);
    // Gemini's BeforeTool, wrapped: its dialect and the guard, nothing heavy.
    const beforeTool = JSON.stringify({ session_id: "s", cwd: "/", hook_event_name: "BeforeTool", tool_name: "run_shell_command", tool_input: { command: "sleep 1", is_background: true } });
    const gemini = await modulesLoadedBy(["hook", "--agent", "gemini", "pre-tool-use"], beforeTool);
    expect(gemini).toContain("src/hooks/agents/gemini-guard.ts");
    expect(gemini).not.toContain("src/hooks/agents/claude-code.ts");
    expect(heavyIn(gemini)).toEqual([]);
    // The prompt's hook, as every turn runs it: nothing rung, so neither SQLite's ledger nor node:fs.
    const prompt = await modulesLoadedBy(["hook", "prompt"], JSON.stringify({ session_id: "s", hook_event_name: "UserPromptSubmit", prompt: "hi" }));
    expect(prompt).toContain("src/hooks/tell.ts");
    expect(prompt).not.toContain("src/tell/deliver.ts");
    expect(prompt).not.toContain("src/ledger/open.ts");
    expect(heavyIn(prompt)).toEqual([]);
    // The commands that print tables ask isatty through libc, never node:tty.
    for (const args of [["ls"], ["kill", "--all"], ["reap", "--dry-run"], ["stats"]]) expect(builtinsImportedBy(await modulesLoadedBy(args))).not.toContain("node:tty");
  });

  test("zod is loaded for the config only to word what is wrong with it", async () => {
    sb = makeSandbox({ run: { deadline: "5x" } });
    const out = join(sb.dir, "modules.txt");
    const proc = Bun.spawn([BUN, "--preload", RECORDER, CLI, "run", "--", "true"], { env: { ...sb.env, RECORD_MODULES_TO: out }, cwd: sb.dir, stdout: "ignore", stderr: "pipe" });
    sb.track(proc.pid);
    const [stderr, code] = await Promise.all([proc.stderr.text(), proc.exited]);
    expect({ code, stderr: stderr.split("\n")[0] }).toEqual({ code: 125, stderr: expect.stringContaining("invalid duration for run.deadline: \"5x\"") });
    expect(readFileSync(out, "utf8")).toContain("src/config/schema.ts");
  });

  test("zod is loaded for hook input only when a field has the wrong type", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    await modulesLoadedBy(["hook", "pre-tool-use"], call("ls", true));
    const mistyped = await modulesLoadedBy(
      ["hook", "pre-tool-use"],
      JSON.stringify({ tool_name: "Bash", tool_input: { command: 1 } }),
      "supervise: hook: dropped hook input field of the wrong type: tool_input.command (expected string, received number); leaving the tool call as it is\n",
    );
    expect(mistyped).toContain("src/hooks/input-schema.ts");
  });
});
