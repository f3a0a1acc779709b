// Merging config sources: key by key, and the legacy .moai keys. The config's discovery and
// validation through the real CLI are test/cli/config.test.ts.

import { describe, expect, test } from "bun:test";
import { deepMerge, legacyReapKeys } from "../../src/config/load.ts";

describe("merging helpers", () => {
  test.each([
    [{ a: 1 }, { a: 2 }, { a: 2 }],
    [{ a: { b: 1, c: 2 } }, { a: { b: 3 } }, { a: { b: 3, c: 2 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, {}, { a: 1 }],
  ])("deepMerge(%p, %p)", (base, over, expected) => {
    expect(deepMerge(base, over)).toEqual(expected);
  });

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
