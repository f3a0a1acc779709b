// Where the state lives, per the contract: $SUPERVISE_HOME, else $XDG_STATE_HOME/supervise,
// else ~/.local/state/supervise.

import { describe, expect, test } from "bun:test";
import { stateDir, under } from "../src/state-dir.ts";

describe("stateDir", () => {
  const cases: Array<[string, NodeJS.ProcessEnv, string]> = [
    ["SUPERVISE_HOME wins, as given", { SUPERVISE_HOME: "/s/x/", XDG_STATE_HOME: "/x", HOME: "/h" }, "/s/x/"],
    ["XDG_STATE_HOME", { XDG_STATE_HOME: "/x/state", HOME: "/h" }, "/x/state/supervise"],
    ["XDG_STATE_HOME with trailing slashes", { XDG_STATE_HOME: "/x/state//", HOME: "/h" }, "/x/state/supervise"],
    ["HOME", { HOME: "/home/u" }, "/home/u/.local/state/supervise"],
    ["HOME /", { HOME: "/" }, "/.local/state/supervise"],
    ["empty values fall through", { SUPERVISE_HOME: "", XDG_STATE_HOME: "", HOME: "/h" }, "/h/.local/state/supervise"],
  ];
  for (const [name, env, expected] of cases) test(name, () => expect(stateDir(env)).toBe(expected));
});

describe("under", () => {
  test("joins with exactly one slash", () => {
    expect(under("/a", "b")).toBe("/a/b");
    expect(under("/a/", "b/c")).toBe("/a/b/c");
    expect(under("/", "b")).toBe("/b");
  });
});
