// Config trust, as a table: what a project's .supervise.json may set (only what narrows what
// supervise ends), what the user's or an explicit file may set, and how the safety lists add up.

import { describe, expect, test } from "bun:test";
import { DEFAULT_CONFIG } from "../../src/config/defaults.ts";
import type { ConfigSource } from "../../src/config/load.ts";
import { ignoredLine } from "../../src/config/load.ts";
import { leaves, mergeLayers, PROJECT_MAY, UNION_LISTS, type Layer } from "../../src/config/merge.ts";

const USER: ConfigSource = { kind: "user", path: "/home/u/.config/supervise/config.json" };
const EXPLICIT: ConfigSource = { kind: "explicit", path: "/etc/sv.json" };
const PROJECT: ConfigSource = { kind: "project", path: "/x/.supervise.json" };
const LEGACY: ConfigSource = { kind: "legacy", path: "/x/.moai/config.json" };

const layer = (source: ConfigSource, settings: Record<string, unknown>): Layer => ({ source, settings });
const valueAt = (config: unknown, key: string) => key.split(".").reduce<any>((at, part) => at?.[part], config);
const DEFAULT_KEEP = DEFAULT_CONFIG.reap.sessionKeep;
const DEFAULT_PROTECT = DEFAULT_CONFIG.reap.protect;

describe("a project file may only narrow what supervise ends", () => {
  // [what, user settings, project settings, key, effective value, ignored keys]
  test.each<[string, Record<string, unknown>, Record<string, unknown>, string, unknown, string[]]>([
    ["targets are ignored", {}, { reap: { targets: { rg: ["ssh-agent", "tmux", "sleep"] } } }, "reap.targets.rg", ["rg", "ripgrep"], ["reap.targets.rg"]],
    ["even a narrower targets list (any value that differs)", {}, { reap: { targets: { shells: ["bash"] } } }, "reap.targets.shells", ["bash", "sh", "zsh"], ["reap.targets.shells"]],
    ["targets equal to the trusted ones are no change", {}, { reap: { targets: { rg: ["rg", "ripgrep"] } } }, "reap.targets.rg", ["rg", "ripgrep"], []],
    ["tagPattern is ignored", {}, { reap: { tagPattern: "." } }, "reap.tagPattern", DEFAULT_CONFIG.reap.tagPattern, ["reap.tagPattern"]],
    ["a lower threshold is ignored", {}, { reap: { thresholds: { rg: "1s" } } }, "reap.thresholds.rg", "5m", ["reap.thresholds.rg"]],
    ["a lower threshold than the user's is ignored", { reap: { thresholds: { sessionGone: "10m" } } }, { reap: { thresholds: { sessionGone: "5m" } } }, "reap.thresholds.sessionGone", "10m", ["reap.thresholds.sessionGone"]],
    ["a raised threshold is kept", {}, { reap: { thresholds: { agentShell: "1h" } } }, "reap.thresholds.agentShell", "1h", []],
    ["an equal threshold in another spelling is kept", {}, { reap: { thresholds: { rg: 300 } } }, "reap.thresholds.rg", 300, []],
    ["none is the longest threshold", {}, { reap: { thresholds: { rgTag: "none" } } }, "reap.thresholds.rgTag", "none", []],
    ["0 means none, the longest", {}, { reap: { thresholds: { rgTag: 0 } } }, "reap.thresholds.rgTag", 0, []],
    ["a threshold under the user's none is ignored", { reap: { thresholds: { rg: "none" } } }, { reap: { thresholds: { rg: "100d" } } }, "reap.thresholds.rg", "none", ["reap.thresholds.rg"]],
    ["a lower run.deadline is ignored", {}, { run: { deadline: "5m" } }, "run.deadline", "1h", ["run.deadline"]],
    ["a raised run.deadline is kept", {}, { run: { deadline: "2h" } }, "run.deadline", "2h", []],
    ["a hooks.deadline under the default none is ignored", {}, { hooks: { deadline: "1h" } }, "hooks.deadline", "none", ["hooks.deadline"]],
    ["a raised hooks.deadline over the user's is kept", { hooks: { deadline: "1h" } }, { hooks: { deadline: "2h" } }, "hooks.deadline", "2h", []],
    ["sessionEndKillOn beyond the trusted reasons is ignored", {}, { hooks: { sessionEndKillOn: ["clear", "exit"] } }, "hooks.sessionEndKillOn", DEFAULT_CONFIG.hooks.sessionEndKillOn, ["hooks.sessionEndKillOn"]],
    ["a subset of the trusted sessionEndKillOn is kept", {}, { hooks: { sessionEndKillOn: ["logout"] } }, "hooks.sessionEndKillOn", ["logout"], []],
    ["an empty sessionEndKillOn (never) is kept", {}, { hooks: { sessionEndKillOn: [] } }, "hooks.sessionEndKillOn", [], []],
    ["onOrphan kill over the user's keep is ignored", { run: { onOrphan: "keep" } }, { run: { onOrphan: "kill" } }, "run.onOrphan", "keep", ["run.onOrphan"]],
    ["onOrphan kill when kill is in effect is no change", {}, { run: { onOrphan: "kill" } }, "run.onOrphan", "kill", []],
    ["onOrphan keep is kept", {}, { run: { onOrphan: "keep" } }, "run.onOrphan", "keep", []],
    ["preToolUseDecision allow is ignored", {}, { hooks: { preToolUseDecision: "allow" } }, "hooks.preToolUseDecision", "none", ["hooks.preToolUseDecision"]],
    ["preToolUseDecision ask is kept", {}, { hooks: { preToolUseDecision: "ask" } }, "hooks.preToolUseDecision", "ask", []],
    ["blindKill off (the guard switched off) is ignored", {}, { hooks: { blindKill: "off" } }, "hooks.blindKill", "ask", ["hooks.blindKill"]],
    ["blindKill ask over the user's deny is ignored", { hooks: { blindKill: "deny" } }, { hooks: { blindKill: "ask" } }, "hooks.blindKill", "deny", ["hooks.blindKill"]],
    ["blindKill deny (stricter) is kept", {}, { hooks: { blindKill: "deny" } }, "hooks.blindKill", "deny", []],
    ["blindKill ask over the user's off is kept (stricter)", { hooks: { blindKill: "off" } }, { hooks: { blindKill: "ask" } }, "hooks.blindKill", "ask", []],
    ["what only tunes how and when is kept (grace)", {}, { run: { grace: "1s" } }, "run.grace", "1s", []],
    ["what only tunes how and when is kept (reapInterval)", {}, { hooks: { reapInterval: "10s" } }, "hooks.reapInterval", "10s", []],
    ["what only tunes how and when is kept (timeoutMs)", {}, { reap: { timeoutMs: 100 } }, "reap.timeoutMs", 100, []],
  ])("%s", (_what, user, project, key, expected, ignoredKeys) => {
    const { config, ignored } = mergeLayers([layer(USER, user), layer(PROJECT, project)]);
    expect(valueAt(config, key)).toEqual(expected);
    expect(ignored).toEqual(ignoredKeys.map((k) => ({ key: k, file: PROJECT.path })));
  });

  test.each([USER, EXPLICIT])("the same keys from a trusted file ($kind) apply", (source) => {
    const widening = {
      run: { deadline: "5m", onOrphan: "kill" },
      reap: { targets: { rg: ["sleep"] }, thresholds: { rg: "1s" }, tagPattern: "." },
      hooks: { sessionEndKillOn: ["clear"], deadline: "1m", preToolUseDecision: "allow" },
    };
    const { config, ignored } = mergeLayers([layer(source, widening)]);
    expect(ignored).toEqual([]);
    for (const [key, value] of leaves(widening)) expect(valueAt(config, key)).toEqual(value);
  });

  test("the issue's cloned repository: every widening key ignored, one per key, the rest kept", () => {
    const project = { reap: { targets: { rg: ["ssh-agent", "tmux", "sleep"] }, thresholds: { rg: "1s" }, protect: [] }, run: { grace: "9s" } };
    const { config, ignored } = mergeLayers([layer(PROJECT, project)]);
    expect(config.reap.targets).toEqual(DEFAULT_CONFIG.reap.targets);
    expect(config.reap.thresholds).toEqual(DEFAULT_CONFIG.reap.thresholds);
    expect(config.reap.protect).toEqual(DEFAULT_PROTECT);
    expect(config.run.grace).toBe("9s");
    expect(ignored.map(ignoredLine)).toEqual([
      "ignoring reap.targets.rg in /x/.supervise.json: a project's config may only narrow what supervise ends",
      "ignoring reap.thresholds.rg in /x/.supervise.json: a project's config may only narrow what supervise ends",
    ]);
  });
});

describe("protect and sessionKeep add to the built-in lists", () => {
  // [what, layers, key, effective value, ignored entries]
  test.each<[string, Layer[], "reap.protect" | "reap.sessionKeep", string[], string[]]>([
    ["a user's sessionKeep adds to the built-in one", [layer(USER, { reap: { sessionKeep: ["foo"] } })], "reap.sessionKeep", [...DEFAULT_KEEP, "foo"], []],
    ["a user's protect adds to the built-in one", [layer(USER, { reap: { protect: ["make test"] } })], "reap.protect", [...DEFAULT_PROTECT, "make test"], []],
    ["an explicit file's list adds too", [layer(EXPLICIT, { reap: { protect: ["x"] } })], "reap.protect", [...DEFAULT_PROTECT, "x"], []],
    ["an empty list changes nothing", [layer(USER, { reap: { sessionKeep: [] } })], "reap.sessionKeep", DEFAULT_KEEP, []],
    ["entries already there are not repeated", [layer(USER, { reap: { sessionKeep: ["tmux", "foo", "foo"] } })], "reap.sessionKeep", [...DEFAULT_KEEP, "foo"], []],
    ['"!tmux" in the user\'s file removes the built-in entry', [layer(USER, { reap: { sessionKeep: ["!tmux"] } })], "reap.sessionKeep", DEFAULT_KEEP.filter((n) => n !== "tmux"), []],
    ['"!pytest" in an explicit file removes it from protect', [layer(EXPLICIT, { reap: { protect: ["!pytest"] } })], "reap.protect", DEFAULT_PROTECT.filter((n) => n !== "pytest"), []],
    ['"!NAME" of a name not in the list is no change', [layer(USER, { reap: { sessionKeep: ["!nothing"] } })], "reap.sessionKeep", DEFAULT_KEEP, []],
    ['"tmux" and "!tmux" together keep it (the safe side)', [layer(USER, { reap: { sessionKeep: ["!tmux", "tmux"] } })], "reap.sessionKeep", DEFAULT_KEEP, []],
    ["a project adds to the user's list", [layer(USER, { reap: { sessionKeep: ["foo"] } }), layer(PROJECT, { reap: { sessionKeep: ["bar"] } })], "reap.sessionKeep", [...DEFAULT_KEEP, "foo", "bar"], []],
    ["a project's empty protect removes nothing", [layer(PROJECT, { reap: { protect: [] } })], "reap.protect", DEFAULT_PROTECT, []],
    ['"!tmux" in a project is ignored, its other entries added', [layer(PROJECT, { reap: { sessionKeep: ["!tmux", "bar"] } })], "reap.sessionKeep", [...DEFAULT_KEEP, "bar"], ["!tmux"]],
    ['"!pytest" in a project cannot undo the user\'s list either', [layer(USER, { reap: { protect: ["mine"] } }), layer(PROJECT, { reap: { protect: ["!mine", "!pytest"] } })], "reap.protect", [...DEFAULT_PROTECT, "mine"], ["!mine", "!pytest"]],
  ])("%s", (_what, layers, key, expected, ignoredEntries) => {
    const { config, ignored } = mergeLayers(layers);
    expect(valueAt(config, key)).toEqual(expected);
    expect(ignored).toEqual(ignoredEntries.map((entry) => ({ key, file: PROJECT.path, entry })));
  });

  test("a targets list from a trusted file replaces the built-in one", () => {
    expect(mergeLayers([layer(USER, { reap: { targets: { rg: ["rg"] } } })]).config.reap.targets).toEqual({ rg: ["rg"], shells: ["bash", "sh", "zsh"] });
  });

  test('the line for an ignored "!NAME" names the entry, the key and the file', () => {
    expect(ignoredLine({ key: "reap.sessionKeep", file: "/x/.supervise.json", entry: "!tmux" })).toBe(
      `ignoring "!tmux" in reap.sessionKeep in /x/.supervise.json: a project's config may only narrow what supervise ends`,
    );
  });
});

describe("every key is judged", () => {
  test("each key of the config has a project rule (a new key must say whether it widens)", () => {
    const keys = leaves(DEFAULT_CONFIG).map(([key]) => key);
    expect(keys.filter((key) => !UNION_LISTS.has(key) && !(key in PROJECT_MAY))).toEqual([]);
    expect(Object.keys(PROJECT_MAY).filter((key) => !keys.includes(key))).toEqual([]);
  });

  test("a key without a rule is refused to a project unless it changes nothing", () => {
    const defaults = { ...DEFAULT_CONFIG, extra: { knob: "a" } } as unknown as typeof DEFAULT_CONFIG;
    expect(mergeLayers([layer(PROJECT, { extra: { knob: "b" } })], defaults).ignored).toEqual([{ key: "extra.knob", file: PROJECT.path }]);
    expect(mergeLayers([layer(PROJECT, { extra: { knob: "a" } })], defaults).ignored).toEqual([]);
    expect(valueAt(mergeLayers([layer(USER, { extra: { knob: "b" } })], defaults).config, "extra.knob")).toBe("b");
  });
});

describe("origins and order", () => {
  test("each key a file set names its source; a list names the defaults and every file it adds", () => {
    const { origins } = mergeLayers([
      layer(USER, { run: { deadline: "2h" }, reap: { sessionKeep: ["!tmux"], protect: ["x"] } }),
      layer(PROJECT, { run: { deadline: "3h", grace: "1s" }, reap: { protect: ["y"], thresholds: { rg: "1s" } } }),
    ]);
    expect(origins).toEqual({
      "run.deadline": [`project ${PROJECT.path}`],
      "run.grace": [`project ${PROJECT.path}`],
      "reap.sessionKeep": ["default", `user ${USER.path}`],
      "reap.protect": ["default", `user ${USER.path}`, `project ${PROJECT.path}`],
    });
  });

  test("a project listed before the user file is still judged against the user file", () => {
    const { config, ignored } = mergeLayers([layer(PROJECT, { run: { deadline: "2h" } }), layer(USER, { run: { deadline: "3h" } })]);
    expect(config.run.deadline).toBe("3h");
    expect(ignored).toEqual([{ key: "run.deadline", file: PROJECT.path }]);
  });

  test("legacy keys fill in only what no other file set", () => {
    const legacy = layer(LEGACY, { reap: { timeoutMs: 1234, gracefulDegradation: false } });
    let merged = mergeLayers([layer(USER, { reap: { timeoutMs: 999 } }), legacy]);
    expect([merged.config.reap.timeoutMs, merged.config.reap.gracefulDegradation]).toEqual([999, false]);
    expect(merged.origins["reap.gracefulDegradation"]).toEqual([`legacy ${LEGACY.path}`]);
    merged = mergeLayers([legacy]);
    expect(merged.config.reap.timeoutMs).toBe(1234);
  });

  test("the defaults are not modified", () => {
    const before = structuredClone(DEFAULT_CONFIG);
    mergeLayers([layer(USER, { reap: { sessionKeep: ["!tmux", "foo"], thresholds: { rg: "1s" } } })]);
    expect(DEFAULT_CONFIG).toEqual(before);
  });
});
