// The safety lists in the schema: "!NAME" is a name like any other string there, and what
// is not a name is an error naming the entry.

import { describe, expect, test } from "bun:test";
import { validateConfigFile } from "../../src/config/schema.ts";

describe("reap.protect, reap.sessionKeep and reap.targets entries", () => {
  test.each<[unknown, string | null]>([
    [{ reap: { sessionKeep: ["!tmux", "foo"] } }, null],
    [{ reap: { protect: ["!pytest", "make test"] } }, null],
    [{ reap: { protect: [] } }, null],
    [{ reap: { sessionKeep: ["!"] } }, "'reap.sessionKeep.0': \"!\" names nothing"],
    [{ reap: { protect: ["ok", "!"] } }, "'reap.protect.1': \"!\" names nothing"],
    [{ reap: { sessionKeep: [""] } }, "'reap.sessionKeep.0'"],
    [{ reap: { sessionKeep: [1] } }, "'reap.sessionKeep.0'"],
    [{ reap: { protect: [null] } }, "'reap.protect.0'"],
    [{ reap: { protect: [["pytest"]] } }, "'reap.protect.0'"],
    [{ reap: { protect: [{ name: "pytest" }] } }, "'reap.protect.0'"],
    [{ reap: { sessionKeep: "tmux" } }, "'reap.sessionKeep'"],
    [{ reap: { targets: { rg: ["!rg"] } } }, "'reap.targets.rg.0': \"!NAME\" removes a built-in entry only from reap.protect and reap.sessionKeep"],
    [{ reap: { targets: { shells: [true] } } }, "'reap.targets.shells.0'"],
  ])("%j", (data, problem) => {
    const checked = validateConfigFile(data);
    if (problem === null) expect(checked).toMatchObject({ ok: true });
    else {
      expect(checked.ok).toBe(false);
      expect(checked.ok ? "" : checked.message).toStartWith(problem);
    }
  });
});
