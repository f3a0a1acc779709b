// Gemini's substitution guard, as supervise mirrors it: a command the guard would refuse
// is never wrapped (the wrap's single quotes would hide it from the guard).

import { describe, expect, test } from "bun:test";
import { holdsSubstitution, refusedByGeminiGuard, shellWrapperBody } from "../../../src/hooks/agents/gemini-guard.ts";

describe("holdsSubstitution", () => {
  const cases: Array<[string, boolean]> = [
    ["npm run dev", false],
    ["echo $(date)", true],
    ["echo $((1+1)) > f", true],
    ["echo `date`", true],
    ["diff <(ls a) <(ls b)", true],
    ["tee >(gzip > x.gz)", true],
    ["echo '$(date)'", false],
    ["echo '`date`' '<(x)'", false],
    ['echo "$(date)"', true],
    ['echo "`date`"', true],
    ['echo "<(x)"', false],
    ["echo \\$(date)", false],
    ['echo "\\$(date)"', false],
    ["echo \\`date\\`", false],
    ['echo "a\\"$(b)"', true],
    ["echo 'it''s' $(x)", true],
    ["echo $HOME ${PATH} $1", false],
    ["a > b < c", false],
    ["echo 'unterminated $(x)", false],
    ['echo "unterminated $(x)', true],
    ["x\\", false],
    ["", false],
  ];
  for (const [command, expected] of cases) test(JSON.stringify(command), () => expect(holdsSubstitution(command)).toBe(expected));
});

describe("refusedByGeminiGuard: a leading shell wrapper is looked into, as Gemini does", () => {
  const cases: Array<[string, boolean]> = [
    ["bash -c 'echo $(date)'", true],
    ["/bin/sh -c 'echo `id`'", true],
    ['zsh -c "echo \\$(date)"', true],
    ["bash -c 'echo hi'", false],
    ["env bash -c 'echo $(date)'", false],
    ["npm run dev", false],
  ];
  for (const [command, expected] of cases) test(JSON.stringify(command), () => expect(refusedByGeminiGuard(command)).toBe(expected));
});

describe("shellWrapperBody", () => {
  test("unquotes single and double quotes; none without a wrapper", () => {
    expect(shellWrapperBody("bash -c 'a b'")).toBe("a b");
    expect(shellWrapperBody('sh -c "a \\$x"')).toBe("a $x");
    expect(shellWrapperBody("bash -c ls")).toBe("ls");
    expect(shellWrapperBody("ls -c 'x'")).toBeNull();
  });
});
