// The safety lists in the schema: "!NAME" is a name like any other string there, and what
// is not a name is an error naming the entry.

import { describe, expect, test } from "bun:test";
import { validateConfigFile } from "../../src/config/schema.ts";

describe("reap.protect, reap.sessionKeep and reap.targets entries", () => {
  test.each<[unknown, string | null]>([
    [{ reap: { sessionKeep: ["!tmux", "foo"] } }, null],
    [{ reap: { protect: ["!pytest", "make test"] } }, null],
    [{ reap: { protect: [] } }, null],
    [{ reap: { sessionKeep: ["!"] } }, "invalid reap.sessionKeep.0: \"!\" (\"!\" names nothing"],
    [{ reap: { protect: ["ok", "!"] } }, "invalid reap.protect.1: \"!\" (\"!\" names nothing"],
    [{ reap: { sessionKeep: [""] } }, 'invalid reap.sessionKeep.0: "" (empty)'],
    [{ reap: { sessionKeep: [1] } }, "invalid reap.sessionKeep.0: 1 (expected a string)"],
    [{ reap: { protect: [null] } }, "invalid reap.protect.0: null (expected a string)"],
    [{ reap: { protect: [["pytest"]] } }, 'invalid reap.protect.0: ["pytest"] (expected a string)'],
    [{ reap: { protect: [{ name: "pytest" }] } }, 'invalid reap.protect.0: {"name":"pytest"} (expected a string)'],
    [{ reap: { sessionKeep: "tmux" } }, 'invalid reap.sessionKeep: "tmux" (expected an array)'],
    [{ reap: { targets: { rg: ["!rg"] } } }, "invalid reap.targets.rg.0: \"!rg\" (\"!NAME\" removes a built-in entry only from reap.protect and reap.sessionKeep"],
    [{ reap: { targets: { shells: [true] } } }, "invalid reap.targets.shells.0: true (expected a string)"],
  ])("%j", (data, problem) => {
    const checked = validateConfigFile(data);
    if (problem === null) expect(checked).toMatchObject({ ok: true });
    else {
      expect(checked.ok).toBe(false);
      expect(checked.ok ? "" : checked.message).toStartWith(problem);
    }
  });
});
