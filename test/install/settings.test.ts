// Merging supervise's hooks into Claude Code settings and taking them out: other keys and
// hooks untouched, idempotent, old paths replaced, malformed shapes refused.

import { describe, expect, test } from "bun:test";
import { isSupervisorHandler, SettingsShapeError, supervisorGroups, withSupervisorHooks, type Json } from "../../src/install/settings.ts";

const ours = supervisorGroups("/opt/bun /opt/supervise/src/cli.ts");
const theirs = { matcher: "Bash", hooks: [{ type: "command", command: "~/bin/audit-bash", timeout: 5 }] };
const full: Json = {
  model: "claude-sonnet-5",
  permissions: { allow: ["Bash(git *)"] },
  hooks: { PreToolUse: [theirs], Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }] },
  env: { FOO: "1" },
};

describe("withSupervisorHooks", () => {
  test("adds one group per event after the user's own, every other key kept in order", () => {
    const out = withSupervisorHooks(full, ours) as any;
    expect(Object.keys(out)).toEqual(["model", "permissions", "hooks", "env"]);
    expect(out.hooks.PreToolUse).toEqual([theirs, ours.PreToolUse]);
    expect(out.hooks.SessionStart).toEqual([ours.SessionStart]);
    expect(out.hooks.SessionEnd).toEqual([ours.SessionEnd]);
    expect(out.hooks.Stop).toEqual((full as any).hooks.Stop);
    expect(out.hooks.SessionStart[0].matcher).toBe("startup|resume|clear|compact");
    expect(out.hooks.PreToolUse[1].matcher).toBe("Bash");
  });

  test("idempotent: installing over an install changes nothing", () => {
    const once = withSupervisorHooks(full, ours);
    expect(withSupervisorHooks(once, ours)).toEqual(once);
  });

  test("hooks installed with old paths are replaced, not doubled", () => {
    const old = withSupervisorHooks(full, supervisorGroups("'/old/bun' '/old/path/supervise/src/cli.ts'"));
    const again = withSupervisorHooks(old, ours) as any;
    expect(again).toEqual(withSupervisorHooks(full, ours));
    expect(JSON.stringify(again)).not.toContain("/old/");
  });

  test("uninstall removes exactly what install added", () => {
    expect(withSupervisorHooks(withSupervisorHooks(full, ours), null)).toEqual(full);
    expect(withSupervisorHooks(withSupervisorHooks({}, ours), null)).toEqual({});
  });

  test("a group holding ours and someone else's keeps theirs", () => {
    const mixed = { hooks: { PreToolUse: [{ matcher: "Bash", hooks: [theirs.hooks[0]!, ours.PreToolUse!.hooks![0 as never]] }] } } as Json;
    expect(withSupervisorHooks(mixed, null) as unknown).toEqual({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [theirs.hooks[0]] }] } });
  });

  test("empty settings get the hooks; unknown group shapes are left alone", () => {
    expect(Object.keys((withSupervisorHooks({}, ours) as any).hooks)).toEqual(["SessionStart", "SessionEnd", "PreToolUse", "UserPromptSubmit"]);
    const odd = { hooks: { PreToolUse: ["not a group", { matcher: "x" }] } } as Json;
    expect((withSupervisorHooks(odd, null) as any).hooks.PreToolUse).toEqual(["not a group", { matcher: "x" }]);
  });

  const bad: Array<[string, Json]> = [
    ["an array", []],
    ["a string", "x"],
    ["hooks as an array", { hooks: [] }],
    ["an event that is not an array", { hooks: { PreToolUse: {} } }],
  ];
  for (const [name, settings] of bad) test(`refuses ${name}`, () => expect(() => withSupervisorHooks(settings, ours)).toThrow(SettingsShapeError));
});

describe("isSupervisorHandler", () => {
  const cases: Array<[Json, boolean]> = [
    [{ type: "command", command: "/usr/bin/bun /x/src/cli.ts hook pre-tool-use" }, true],
    [{ type: "command", command: "'/a b/bun' '/a b/cli.ts' hook session-start" }, true],
    [{ type: "command", command: "SUPERVISE_HOME=/s supervise hook session-end" }, true],
    [{ type: "command", command: "/usr/bin/bun /x/src/cli.ts hook --agent gemini prompt" }, true],
    [{ type: "command", command: "supervise hook --agent codex post-tool-use" }, true],
    [{ type: "command", command: "supervise hook prompt-injection" }, false],
    [{ type: "command", command: "supervise hook session-end --verbose" }, false],
    [{ type: "command", command: "my-supervise-wrapper hook pre-tool-use" }, false],
    [{ type: "command", command: "other hook pre-tool-use" }, false],
    [{ type: "http", command: "supervise hook pre-tool-use" }, false],
    ["supervise hook pre-tool-use", false],
  ];
  for (const [handler, expected] of cases) test(JSON.stringify(handler), () => expect(isSupervisorHandler(handler)).toBe(expected));
});
