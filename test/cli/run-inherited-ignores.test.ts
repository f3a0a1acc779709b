// As under GNU timeout, a signal the wrapper does not handle reaches the command as the
// wrapper inherited it: `(trap '' PIPE && timeout 10 yes | :)` lets yes see EPIPE.

import { afterEach, describe, expect, test } from "bun:test";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

/** Runs a bash script with SV naming the CLI; its stdout and stderr together. */
function bash(script: string): { out: string; status: number } {
  const r = Bun.spawnSync(["bash", "-c", script], { env: { ...sb!.env, SV: `${BUN} ${CLI}` }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { out: r.stdout.toString() + r.stderr.toString(), status: r.exitCode ?? -1 };
}

const SIG_IGN = `grep SigIgn /proc/$$/status | cut -f2`;

describe("inherited signal dispositions", () => {
  test("GNU's check: with PIPE ignored around it, yes under supervise sees EPIPE and says 'Broken pipe'", () => {
    sb = makeSandbox();
    expect(bash(`(trap '' PIPE && $SV run -d 10 -- yes | :) 2>&1`).out).toContain("Broken pipe");
  });

  test("PIPE and ALRM ignored around it stay ignored in the command; INT, TERM, HUP and USR1, which the wrapper handles, start at their default", () => {
    sb = makeSandbox();
    const mask = (signals: number[]) => signals.reduce((m, n) => m | (1n << BigInt(n - 1)), 0n).toString(16).padStart(16, "0");
    expect(bash(`trap '' PIPE ALRM INT TERM HUP USR1; $SV run -- sh -c '${SIG_IGN}'; true`).out.trim()).toBe(mask([13, 14]));
    expect(bash(`$SV run -- sh -c '${SIG_IGN}'; true`).out.trim()).toBe(mask([]));
  });

  test("through the shell that sets them again, the command keeps the pid the entry records (one pid, two execs)", async () => {
    sb = makeSandbox();
    const printed = bash(`trap '' ALRM; $SV run -- sh -c 'echo $$'; true`).out.trim();
    const [entry] = await lsAll(sb);
    expect(entry!.pid).toBe(Number(printed));
    expect(entry!.command).toEqual(["sh", "-c", "echo $$"]);
  });
});
