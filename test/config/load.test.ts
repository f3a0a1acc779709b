// Finding config sources, and the legacy .moai keys. The merge (config trust) is
// merge.test.ts; discovery and validation through the real CLI are test/cli/config.test.ts.

import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findConfigSources, legacyReapKeys } from "../../src/config/load.ts";

describe("legacy keys", () => {
  test.each([
    [{ hooks: { timeout_ms: 100, graceful_degradation: true } }, { timeoutMs: 100, gracefulDegradation: true }],
    [{ hooks: { timeout_ms: "100", graceful_degradation: "yes" } }, {}],
    [{ hooks: { timeout_ms: -1 } }, {}],
    [{ hooks: null }, {}],
    [null, {}],
    [[], {}],
  ])("legacyReapKeys(%p)", (data, expected) => {
    expect(legacyReapKeys(data)).toEqual(expected);
  });
});

describe("findConfigSources", () => {
  test("a relative explicit path, and an unnormalised cwd (a hook's), resolve as node:path does", () => {
    const root = mkdtempSync(join(tmpdir(), "supervise-sources-"));
    try {
      mkdirSync(join(root, "project", "a", "b"), { recursive: true });
      writeFileSync(join(root, "project", ".supervise.json"), "{}");
      const env = { HOME: join(root, "home") };
      expect(findConfigSources({ env, configPath: "../x.json", cwd: join(root, "project", "a") })).toEqual([{ path: join(root, "project", "x.json"), kind: "explicit" }]);
      for (const cwd of [`${root}/project/a/b/..`, `${root}//project/./a/b/`, `${root}/project`]) {
        expect(findConfigSources({ env, cwd }), cwd).toEqual([{ path: join(root, "project", ".supervise.json"), kind: "project" }]);
      }
      expect(findConfigSources({ env, cwd: root })).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
