// Terminal detection (isatty): a pipe and /dev/null (a character device,
// but not a terminal) are not terminals, a pseudo-terminal is; $COLUMNS and NO_COLOR win.

import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { colorEnabled, terminalWidth } from "../../src/cli/terminal.ts";

const TERMINAL = join(import.meta.dir, "..", "..", "src", "cli", "terminal.ts");
const PROBE = `import { isTerminal } from ${JSON.stringify(TERMINAL)}; process.stderr.write(String(await isTerminal(1)));`;

/** What isTerminal(1) says in a Bun process whose stdout is `stdout`. */
function probe(stdout: "pipe" | "ignore"): string {
  return spawnSync(process.execPath, ["-e", PROBE], { stdio: ["ignore", stdout, "pipe"] }).stderr.toString();
}

describe("isTerminal", () => {
  test("a pipe, and /dev/null (a character device that is not a terminal), are not terminals", () => {
    expect(probe("pipe")).toBe("false");
    expect(probe("ignore")).toBe("false");
  });

  test.skipIf(spawnSync("script", ["--version"]).status !== 0)("a pseudo-terminal is", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} -e '${PROBE}' 2>&1 >/dev/tty`, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
    expect(r.stdout.toString()).toContain("true");
  });
});

describe("terminalWidth and colorEnabled", () => {
  const width = `import { terminalWidth } from ${JSON.stringify(TERMINAL)}; process.stderr.write(String((process.stdout.columns ?? "none") + " " + (await terminalWidth(1, {}))));`;
  test.skipIf(spawnSync("script", ["--version"]).status !== 0)("a terminal that reports 0 columns (script without a terminal around it) is 80 wide, not 0", () => {
    const r = spawnSync("script", ["-qec", `${process.execPath} -e '${width}' 2>&1 >/dev/tty`, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
    expect(r.stdout.toString()).toMatch(/(^|\n)0 80/);
  });

  test("$COLUMNS wins; NO_COLOR turns colour off", async () => {
    expect(await terminalWidth(1, { COLUMNS: "91" })).toBe(91);
    expect(await colorEnabled(1, { NO_COLOR: "1" })).toBe(false);
  });
});
