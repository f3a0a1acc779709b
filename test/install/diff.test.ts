// install --dry-run's diff: patch(1) applied to the old text gives the new one, whatever the change.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unifiedDiff } from "../../src/install/diff.ts";

const dir = mkdtempSync(join(tmpdir(), "supervise-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function applied(before: string, diff: string): string {
  const file = join(dir, "f");
  writeFileSync(file, before);
  const r = Bun.spawnSync(["patch", "-s", "-o", `${file}.out`, file], { stdin: new TextEncoder().encode(diff), stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`patch: ${r.stdout}${r.stderr}`);
  return readFileSync(`${file}.out`, "utf8");
}

const lines = (n: number, tag = "") => Array.from({ length: n }, (_, i) => `line ${i}${tag}`).join("\n") + "\n";

describe("unifiedDiff", () => {
  const cases: Array<[string, string, string]> = [
    ["from nothing", "", '{\n  "hooks": {}\n}\n'],
    ["to nothing but a brace", '{\n  "a": 1,\n  "b": 2\n}\n', "{}\n"],
    ["one line in the middle", lines(20), lines(20).replace("line 10\n", "line ten\n")],
    ["two hunks far apart", lines(40), lines(40).replace("line 2\n", "two\n").replace("line 35\n", "x\ny\n")],
    ["changes that share their context", lines(12), lines(12).replace("line 3\n", "").replace("line 7\n", "seven\n")],
    ["at the very start and end", lines(5), `first\n${lines(5)}last\n`],
  ];
  for (const [name, before, after] of cases) test(name, () => expect(applied(before, unifiedDiff("f", before, after))).toBe(after));

  test("the same text: no diff at all; the headers name the file", () => {
    expect(unifiedDiff("f", lines(3), lines(3))).toBe("");
    expect(unifiedDiff("/x/settings.json", "a\n", "b\n")).toBe("--- /x/settings.json\n+++ /x/settings.json (after)\n@@ -1,1 +1,1 @@\n-a\n+b\n");
  });
});
