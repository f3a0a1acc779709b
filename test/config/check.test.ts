// The cheap config check (no zod) gives zod's answer on every case: whatever it lets through,
// zod accepts; whatever zod refuses, it refuses too. Hostile and mistyped files included.

import { describe, expect, test } from "bun:test";
import { checkedConfig, fitsConfigShape } from "../../src/config/check.ts";
import { ConfigFileSchema } from "../../src/config/schema.ts";

/** Every key with values of each kind, good and bad, in a file of its own. */
const VALUES: unknown[] = [0, 1, -1, 1.5, 1023, 1024, 10_000, 10_001, 2 ** 53, Number.POSITIVE_INFINITY, "", "5m", "500ms", "1.5h", "none", "5x", "-1s", "TERM", "SIGKILL", "9", "SIGFOO", "kill", "keep", "ask", "deny", "off", "allow", "exit", "clear", true, false, null, [], ["x"], ["!x"], ["!"], [""], [1], {}, { a: 1 }, "(", "[a-z]+", "x".repeat(5000)];

const KEYS: Record<string, string[]> = {
  run: ["deadline", "grace", "signal", "onOrphan", "captureMaxBytes", "stallAfter", "idleTimeout"],
  reap: ["timeoutMs", "gracefulDegradation", "grace", "historySize", "notifyAbove", "tagPattern", "protect", "sessionKeep"],
  "reap.thresholds": ["rg", "rgTag", "agentShell", "sessionGone"],
  "reap.targets": ["rg", "shells"],
  hooks: ["sessionEndKillOn", "preToolUseDecision", "reapInterval", "deadline", "blindKill"],
  gc: ["after", "keepFinished"],
};

function fileWith(section: string, key: string, value: unknown): unknown {
  const [top, sub] = section.split(".");
  return sub ? { [top!]: { [sub]: { [key]: value } } } : { [top!]: { [key]: value } };
}

const cases: Array<[string, unknown]> = [];
for (const [section, keys] of Object.entries(KEYS)) for (const key of keys) for (const value of VALUES) cases.push([`${section}.${key} = ${JSON.stringify(value)?.slice(0, 20)}`, fileWith(section, key, value)]);
cases.push(
  ["empty", {}],
  ["$schema", { $schema: "https://example/schema.json" }],
  ["$schema not a string", { $schema: 1 }],
  ["an unknown top-level key", { rn: {} }],
  ["an unknown nested key", { run: { dedline: "5m" } }],
  ["a section that is an array", { run: [] }],
  ["a section that is null", { reap: null }],
  ["the file an array", []],
  ["the file null", null],
  ["the file a number", 3],
  ["the file a string", "{}"],
  ["a hostile __proto__ key", JSON.parse('{"__proto__": {"x": 1}}')],
  ["a constructor key", { constructor: {} }],
  ["everything at once", { run: { deadline: "1h", grace: 5, signal: "INT", onOrphan: "keep" }, reap: { protect: ["pg"], thresholds: { rg: "10m" }, targets: { rg: ["rg", "fd"] } }, hooks: { blindKill: "deny", sessionEndKillOn: ["exit", "other"] }, gc: { after: "7d", keepFinished: 100 } }],
);

describe("fitsConfigShape agrees with the zod schema", () => {
  test(`on ${cases.length} files`, () => {
    const disagree = cases.filter(([, data]) => fitsConfigShape(data) !== ConfigFileSchema.safeParse(data).success).map(([name]) => name);
    expect(disagree).toEqual([]);
    // The table is not one-sided: both answers occur.
    expect(cases.filter(([, data]) => fitsConfigShape(data)).length).toBeGreaterThan(50);
    expect(cases.filter(([, data]) => !fitsConfigShape(data)).length).toBeGreaterThan(50);
  });

  test("gives the file back as zod does: the same values, its keys in the schema's order (the ignored-key lines follow it)", () => {
    const data = { hooks: { deadline: "1h", blindKill: "deny" }, reap: { thresholds: { sessionGone: "1h", rg: "1s" }, targets: { rg: ["x"] } }, run: { grace: 1, deadline: "5m" } };
    const zod = ConfigFileSchema.parse(data);
    expect(JSON.stringify(checkedConfig(data))).toBe(JSON.stringify(zod));
    for (const [, file] of cases) if (fitsConfigShape(file)) expect(JSON.stringify(checkedConfig(file))).toBe(JSON.stringify(ConfigFileSchema.parse(file)));
  });
});
