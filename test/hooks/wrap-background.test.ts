// PreToolUse: which tool calls are rewritten, and the exact shape of the answer.

import { describe, expect, test } from "bun:test";
import { beforeToolCall, PreToolUseOutputSchema as OutputSchema, preToolUseCall as call } from "../helpers/contract.ts";
import { claudeCode } from "../../src/hooks/agents/claude-code.ts";
import { gemini } from "../../src/hooks/agents/gemini.ts";
import { asksToBeKept } from "../../src/policy/keep.ts";
import { agentArgumentBytes, ARG_LIMIT, doubleQuoted, isSupervised, NotWrapped, preToolUseOutput, withPolicyMirror, wrapCommand, type WrapSettings } from "../../src/hooks/wrap-background.ts";

const settings: WrapSettings = { bun: "/opt/bun/bin/bun", cli: "/opt/supervise/src/cli.ts", stateDir: "/home/u/.local/state/supervise", configPath: null, decision: "none", deadline: "none" };

describe("preToolUseOutput: what is left alone", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["a foreground command", call({ command: "npm test", run_in_background: false })],
    ["run_in_background missing", call({ command: "npm test" })],
    ["run_in_background as a string", call({ command: "npm test", run_in_background: "true" })],
    ["another tool", { ...call({ command: "x", run_in_background: true }), tool_name: "Read" }],
    ["no tool_input", { tool_name: "Bash" }],
    ["tool_input an array", { tool_name: "Bash", tool_input: [] }],
    ["an empty command", call({ command: "  ", run_in_background: true })],
    ["a command that is not a string", call({ command: ["ls"], run_in_background: true })],
    ["a NUL in the command", call({ command: "echo a\0b", run_in_background: true })],
    ["already ours", call({ command: wrapCommand("npm run dev", { ...settings, session: "s", name: null }), run_in_background: true })],
    ["supervise typed by hand", call({ command: "supervise run -d 5m -- npm run dev", run_in_background: true })],
    ["supervise by path, with env", call({ command: "FOO=1 /usr/local/bin/supervise npm run dev", run_in_background: true })],
  ];
  for (const [name, data] of cases) test(name, () => expect(preToolUseOutput(data, settings, claudeCode)).toBeNull());
});

describe("preToolUseOutput: a background Bash command", () => {
  test("is wrapped with the session and the description as its name; every other field comes back", () => {
    const input = { command: "npm run dev", description: "Start the dev server", timeout: 600000, run_in_background: true as const, future_field: { x: 1 } };
    const out = OutputSchema.parse(preToolUseOutput(call(input), settings, claudeCode));
    expect(out.hookSpecificOutput.updatedInput).toEqual({
      ...input,
      // The original first, as a script bash never runs, for the agent's permission rules to judge.
      command: "false && bash -c \"npm run dev\"; SUPERVISE_HOME=/home/u/.local/state/supervise /opt/bun/bin/bun /opt/supervise/src/cli.ts run --session sess-1 --session-bound --deadline none --name 'Start the dev server' -- bash -c 'npm run dev'",
    });
    expect(out.hookSpecificOutput.permissionDecision).toBeUndefined();
  });

  test("hooks.preToolUseDecision ask/allow adds the decision; none leaves it to the user's rules", () => {
    for (const decision of ["ask", "allow"] as const) {
      const out = OutputSchema.parse(preToolUseOutput(call({ command: "x", run_in_background: true }), { ...settings, decision }, claudeCode));
      expect(out.hookSpecificOutput.permissionDecision).toBe(decision);
      expect(out.hookSpecificOutput.permissionDecisionReason).toContain("supervise");
    }
  });

  test("an explicit config and hostile session ids and descriptions are quoted", () => {
    const out = OutputSchema.parse(preToolUseOutput(call({ command: "x", description: "it's $(rm -rf ~) `x`", run_in_background: true }, { session_id: "a'b; rm" }), { ...settings, configPath: "/c d/conf.json" }, claudeCode));
    expect(out.hookSpecificOutput.updatedInput.command).toBe(
      "false && bash -c x; SUPERVISE_HOME=/home/u/.local/state/supervise SUPERVISE_CONFIG='/c d/conf.json' /opt/bun/bin/bun /opt/supervise/src/cli.ts run --session 'a'\\''b; rm' --session-bound --deadline none --name 'it'\\''s $(rm -rf ~) `x`' -- bash -c x",
    );
  });

  test("hooks.deadline is the wrapped command's --deadline, whatever run.deadline says; no session means no --session-bound", () => {
    const out = OutputSchema.parse(preToolUseOutput(call({ command: "x", run_in_background: true }, { session_id: undefined }), { ...settings, deadline: "2h" }, claudeCode));
    expect(out.hookSpecificOutput.updatedInput.command).toBe("false && bash -c x; SUPERVISE_HOME=/home/u/.local/state/supervise /opt/bun/bin/bun /opt/supervise/src/cli.ts run --deadline 2h -- bash -c x");
  });

  test("wrapCommand: the session makes the run session-bound; the deadline is always given", () => {
    const base = { ...settings, name: null };
    expect(wrapCommand("x", { ...base, session: "s" })).toEndWith(" run --session s --session-bound --deadline none -- bash -c x");
    expect(wrapCommand("x", { ...base, session: null, deadline: "90" })).toEndWith(" run --deadline 90 -- bash -c x");
    expect(wrapCommand("x", { ...base, session: "s", keep: true })).toEndWith(" run --session s --session-bound --deadline none --keep-orphaned -- bash -c x");
  });

  test("a long description is cut to 60 characters for the name", () => {
    const out = OutputSchema.parse(preToolUseOutput(call({ command: "x", description: "d".repeat(200), run_in_background: true }), settings, claudeCode));
    expect(out.hookSpecificOutput.updatedInput.command).toContain(`--name ${"d".repeat(60)} --`);
  });
});

describe("a command that asks to be kept (SUPERVISE_KEEP=1, as the agent is told)", () => {
  test("is wrapped with --keep-orphaned, so neither SessionEnd nor a sweep ends it", () => {
    for (const command of ["SUPERVISE_KEEP=1 npm run dev", "export SUPERVISE_KEEP=1; npm run dev", "env SUPERVISE_KEEP=1 npm run dev", "cd web && SUPERVISE_KEEP=1 vite"]) {
      const out = OutputSchema.parse(preToolUseOutput(call({ command, run_in_background: true }), settings, claudeCode));
      expect(out.hookSpecificOutput.updatedInput.command).toContain(" --keep-orphaned -- bash -c ");
    }
  });

  const cases: Array<[string, boolean]> = [
    ["SUPERVISE_KEEP=1 x", true],
    ["a;SUPERVISE_KEEP=1 x", true],
    ["SUPERVISE_KEEP=0 x", false],
    ["SUPERVISE_KEEP=10 x", false],
    ["MY_SUPERVISE_KEEP=1 x", false],
    ["npm run dev", false],
  ];
  for (const [command, expected] of cases) test(JSON.stringify(command), () => expect(asksToBeKept(command)).toBe(expected));
});

describe("isSupervised: only a command that is one supervised run, nothing after it", () => {
  const ours = wrapCommand("npm run dev", { ...settings, session: "s", name: null });
  const cases: Array<[string, boolean]> = [
    ["supervise ls", true],
    ["  supervise", true],
    ["/usr/bin/supervise run -- x", true],
    ["./supervise run -- x", true],
    ["A=1 B=2 supervise x", true],
    ["A='x y' supervise run -- x", true],
    ["supervise run -- npm run dev > log 2>&1", true],
    ["supervise run -- npm run dev &> log", true],
    ["supervise run -- sh -c 'a; b & c | d'", true],
    ['supervise run -- sh -c "a; b && c"', true],
    ["supervise run -- x # start it; then wait", true],
    ["supervise run -- x\n", true],
    ["supervise run \\\n  -- x", true],
    [`SUPERVISE_HOME=/x ${settings.bun} ${settings.cli} run -- bash -c y`, true],
    [ours, true],
    [`SUPERVISE_HOME='/a b' /other/bun ${settings.cli} run -- bash -c 'y; z'`, true],
    // Look-alikes: something runs unsupervised.
    ["supervise ls; npm run dev", false],
    ["supervise ls;npm run dev", false],
    ["supervise ls && npm run dev", false],
    ["supervise ls || npm run dev", false],
    ["supervise ls | npm run dev", false],
    ["supervise ls |& npm run dev", false],
    ["supervise ls & npm run dev", false],
    ["supervise run -- x &", false],
    ["supervise ls\nnpm run dev", false],
    ["supervise ls # x\nnpm run dev", false],
    ["supervise run -- echo $(npm run dev)", false],
    ['supervise run -- echo "$(npm run dev)"', false],
    ["supervise run -- echo `npm run dev`", false],
    ["supervise run -- cat <(npm run dev)", false],
    ["(supervise ls); npm run dev", false],
    ["{ supervise ls; npm run dev; }", false],
    ["supervise run -- 'unclosed", false],
    [`${ours}; npm run dev`, false],
    [`${ours} && npm run dev`, false],
    [`false && bash -c x; supervise ls; npm run dev`, false],
    [`false && bash -c x & npm run dev; ${ours}`, false],
    [`echo '${settings.cli} run '; npm run dev`, false],
    [`npm run dev; ${settings.bun} ${settings.cli} run -- x`, false],
    ["supervisex", false],
    ["echo supervise", false],
    ["npm run dev", false],
    ["A=1", false],
    ["", false],
  ];
  for (const [command, expected] of cases) test(JSON.stringify(command), () => expect(isSupervised(command, settings)).toBe(expected));

  test("a look-alike background call is wrapped, not passed through", () => {
    const out = OutputSchema.parse(preToolUseOutput(call({ command: "supervise ls; npm run dev", run_in_background: true }), settings, claudeCode));
    expect(out.hookSpecificOutput.updatedInput.command).toEndWith(" -- bash -c 'supervise ls; npm run dev'");
  });
});

describe("doubleQuoted: the policy mirror's word", () => {
  const cases: Array<[string, string]> = [
    ["npm", "npm"],
    ["npm run dev", '"npm run dev"'],
    ["it's", `"it's"`],
    ['a\\b "c" $d `e`', '"a\\\\b \\"c\\" \\$d \\`e\\`"'],
    ["a\nb", '"a\nb"'],
    ["", '""'],
  ];
  test.each(cases)("%j", (text, word) => {
    expect(doubleQuoted(text)).toBe(word);
    // bash reads the word back as the text.
    const read = Bun.spawnSync(["bash", "-c", `printf %s ${word}`]);
    expect(read.stdout.toString()).toBe(text);
  });
});

describe("a command too long to be in the rewrite twice", () => {
  const written: Array<[string, string]> = [];
  const withFile: WrapSettings = { ...settings, commandFile: () => ({ path: "/st/commands/f.sh", write: (command) => written.push(["/st/commands/f.sh", command]) }) };
  const rewrite = (command: string, dialect: typeof claudeCode = claudeCode, wrap = withFile) => {
    written.length = 0;
    const data = dialect === gemini ? beforeToolCall({ command, is_background: true }) : call({ command, run_in_background: true });
    const out = preToolUseOutput(data, wrap, dialect) as any;
    return (out.hookSpecificOutput.updatedInput?.command ?? out.hookSpecificOutput.tool_input.command) as string;
  };

  test("short: in it twice, no file", () => {
    expect(rewrite("npm run dev")).toEndWith("-- bash -c 'npm run dev'");
    expect(written).toEqual([]);
  });

  test("66 KB: the mirror keeps the text, the wrapper reads it from the file, the rewrite fits one argument", () => {
    const command = `: '${"x".repeat(66_000)}'; npm run dev`;
    const out = rewrite(command);
    expect(out).toBe(withPolicyMirror(command, wrapCommand(command, { ...settings, session: "sess-1", name: null, argFile: "/st/commands/f.sh" })));
    expect(out).toEndWith(" --arg-file /st/commands/f.sh -- bash -c");
    expect(out.startsWith(`false && bash -c ${doubleQuoted(command)}; `)).toBe(true);
    expect(agentArgumentBytes(out)).toBeLessThan(ARG_LIMIT);
    expect(written).toEqual([["/st/commands/f.sh", command]]);
  });

  test("Claude Code: past 10,000 characters in it twice (a 6 KB command), once; and the rewrite stays within them", () => {
    const command = `rm -rf x; : '${"x".repeat(6_000)}'`;
    const out = rewrite(command);
    expect(out.length).toBeLessThanOrEqual(10_000);
    expect(out).toContain("--arg-file");
    // Gemini judges any length: in it twice.
    expect(rewrite(command, gemini)).not.toContain("--arg-file");
  });

  const untouched: Array<[label: string, command: string, message: string]> = [
    ["once past Claude Code's 10,000 characters, which it judges as it is", `: '${"x".repeat(9_800)}'`, "past the 10000 up to which the agent judges a command by the permission rules"],
    ["past the kernel's limit for one argument even once", `: '${"x".repeat(140_000)}'`, "past the kernel's limit of 131072"],
    ["single quotes the agent spells '\"'\"' push it past the limit", "'x' ".repeat(26_000), "past the kernel's limit of 131072"],
  ];
  test.each(untouched)("left as it is: %s", (_label, command, message) => {
    written.length = 0;
    expect(() => preToolUseOutput(call({ command, run_in_background: true }), withFile, claudeCode)).toThrow(NotWrapped);
    expect(() => preToolUseOutput(call({ command, run_in_background: true }), withFile, claudeCode)).toThrow(message);
    expect(written).toEqual([]);
  });

  test("no file to write: a command too long for the rewrite twice is left as it is", () => {
    expect(() => preToolUseOutput(call({ command: `: '${"x".repeat(66_000)}'`, run_in_background: true }), settings, claudeCode)).toThrow("with the command in it twice");
  });

  test("a command past 10,000 characters is not judged by Claude Code as it is either: wrapped, in it twice while that fits", () => {
    const out = rewrite(`: '${"x".repeat(20_000)}'`);
    expect(out.length).toBeGreaterThan(40_000);
    expect(out).not.toContain("--arg-file");
  });
});

// Outside a PID namespace the periodic sweep must never start: every sandbox here turns it off.
