// GNU timeout's spellings and statuses: -k/--kill-after is --grace, -v/--verbose says what the
// deadline sends, 137 when the command itself needed SIGKILL (124 when it ended on the first
// signal, whatever else of its group needed), and --foreground refused with the reason.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const STUBBORN = ["sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"];

describe("GNU timeout's spellings", () => {
  test("-k DUR and --kill-after DUR are --grace: a TERM-ignoring command is SIGKILLed after it, exit 137, recorded killed by KILL", async () => {
    sb = makeSandbox();
    for (const spelling of [["-k", "200ms"], ["--kill-after", "200ms"], ["--kill-after=200ms"]]) {
      const r = await runCli(sb, ["run", "-d", "200ms", ...spelling, "--", ...STUBBORN]);
      expect({ spelling, ...r }).toEqual({ spelling, exitCode: 137, stdout: "", stderr: "" });
    }
    const entries = await lsAll(sb);
    expect(entries.map((e) => [e.state, e.reason, e.signal, e.exitStatus])).toEqual(Array(3).fill(["killed", "deadline", "KILL", 137]));
  });

  test("124 when the command ended on the first signal, even though a member of its group needed SIGKILL", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "-d", "200ms", "-k", "200ms", "--", "sh", "-c", "(trap '' TERM; while :; do sleep 0.05; done) & sleep 30; wait"]);
    expect(r).toEqual({ exitCode: 124, stdout: "", stderr: "" });
  });

  test("-v / --verbose: GNU's line for each signal the deadline sends, and none without a deadline's stop", async () => {
    sb = makeSandbox();
    const lines = "supervise: sending signal TERM to command 'sh'\nsupervise: sending signal KILL to command 'sh'\n";
    expect(await runCli(sb, ["run", "-v", "-d", "200ms", "-k", "200ms", "--", ...STUBBORN])).toEqual({ exitCode: 137, stdout: "", stderr: lines });
    expect(await runCli(sb, ["run", "--verbose", "-d", "200ms", "-s", "INT", "--", "sleep", "30"])).toEqual({ exitCode: 124, stdout: "", stderr: "supervise: sending signal INT to command 'sleep'\n" });
    expect(await runCli(sb, ["run", "-v", "-d", "5s", "--", "true"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("--foreground is refused with the reason (125); --grace and -k together are one option given twice (125)", async () => {
    sb = makeSandbox();
    const fg = await runCli(sb, ["run", "--foreground", "-d", "1s", "--", "true"]);
    expect(fg.exitCode).toBe(125);
    expect(fg.stderr).toBe(
      "supervise: --foreground is not supported: supervise runs the command in a session of its own, away from the terminal, so that its whole tree can be ended; for a command that must read the terminal, use GNU timeout --foreground\n",
    );
    expect(await runCli(sb, ["run", "-g", "1s", "-k", "1s", "--", "true"])).toEqual({ exitCode: 125, stdout: "", stderr: "supervise: --grace and --kill-after (-k) are the same option: give one\n" });
    expect(await lsAll(sb)).toEqual([]);
  });
});
