// GNU's own checks of timeout (coreutils tests/timeout/timeout.sh, timeout-parameters.sh and
// timeout-large-parameters.sh), each restated here and run with `timeout` mapped onto
// `supervise run` by test/gnu-timeout/timeout. Where GNU's line says "timeout:", ours says
// "supervise:"; everything else is GNU's expectation.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const SHIM_DIR = join(import.meta.dir, "..", "gnu-timeout");

/** A bash script with the shim first on PATH: its stdout and stderr, and its status. */
function sh(script: string): { out: string; err: string; status: number } {
  sb ??= makeSandbox();
  const env = { ...sb.env, PATH: `${SHIM_DIR}:${process.env.PATH}`, SUPERVISE_BUN: BUN, SUPERVISE_CLI: CLI };
  const r = Bun.spawnSync(["bash", "-c", script], { env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { out: r.stdout.toString(), err: r.stderr.toString(), status: r.exitCode ?? -1 };
}
const status = (command: string) => sh(command).status;

// The limits GNU's getlimits_ names: one past time_t and unsigned int, and the largest long double.
const TIME_T_OFLOW = "9223372036854775808";
const UINT_OFLOW = "4294967296";
const LDBL_MAX = "1.18973149535723176502e+4932";

describe("timeout.sh", () => {
  test("10 true, 1d true, 0 true (no limit) succeed", () => {
    for (const d of ["10", "1d", "0"]) expect([d, status(`timeout ${d} true`)]).toEqual([d, 0]);
  });
  test("the command's own status passes through", () => expect(status("timeout 10 sh -c 'exit 2'")).toBe(2));
  test("the deadline: 124", () => expect(status("timeout .1 sleep 10")).toBe(124));
  test("--preserve-status: not 124", () => expect(status("timeout --preserve-status .1 sleep 10")).not.toBe(124));
  test("-s0 -k1: the KILL after the grace, not 124", () => expect(status("timeout -s0 -k1 .1 sleep 10")).not.toBe(124));
  test("--foreground -s0 -k1: not 124", () => expect(status("timeout --foreground -s0 -k1 .1 sleep 10")).not.toBe(124));
  test("SIGCHLD ignored around it: the status is still the command's", () => expect(status("(trap '' CHLD; exec timeout 10 true)")).toBe(0));
  test("a setsid'd child holding stdout does not keep the wrapper past its deadline, and prints nothing", () => {
    const r = sh(`out=$(setsid sleep .1 & exec timeout .5 sh -c 'sleep 2; echo foo'); echo "status $? out [$out]"`);
    expect(r.out.trim()).toBe("status 124 out []");
  });
  for (const opt of ["-v", "--verbose"]) {
    test(`${opt}: one line per signal the deadline sends`, () => {
      const r = sh(`timeout ${opt} -s0 -k .1 .1 sleep 10`);
      expect(r.err.split("\n").filter((line) => !line.startsWith("Killed"))).toEqual(["supervise: sending signal 0 to command 'sleep'", "supervise: sending signal KILL to command 'sleep'", ""]);
    });
  }
  test("-v with its reader gone: still 124", () => {
    expect(sh(`{ timeout -v .1 sleep 10 2>&1; echo $? > "$PWD/status"; } | :; cat "$PWD/status"`).out.trim()).toBe("124");
  });
  test("PIPE ignored around it reaches the command: 'Broken pipe'", () => {
    expect(sh(`(trap '' PIPE && timeout 10 yes | :) 2>&1 | grep -c 'Broken pipe'`).out.trim()).not.toBe("0");
  });
});

describe("timeout-parameters.sh", () => {
  for (const bad of ["invalid", "' -0.1'", "' -1e-10000'", "42D", "--kill-after=invalid 1", "--signal=invalid 1"]) {
    test(`${bad}: 125`, () => expect(status(`timeout ${bad} sleep 0`)).toBe(125));
  }
  for (const ok of ["10.34", "9.999999999"]) test(`${ok}: runs`, () => expect(status(`timeout ${ok} sleep 0`)).toBe(0));
  test("1e-10000 rounds up and times out at once: 124", () => expect(status("timeout 1e-10000 sleep 10")).toBe(124));
  test("a directory: 126; no such command: 127", () => {
    expect(status("timeout 10 .")).toBe(126);
    expect(status("timeout 10 no_such")).toBe(127);
  });
});

describe("timeout-large-parameters.sh", () => {
  test("a duration past time_t does not time out at once", () => expect(status(`timeout ${TIME_T_OFLOW} sleep 0.5`)).toBe(0));
  for (const huge of [UINT_OFLOW, `${TIME_T_OFLOW}d`, "2.34e+5d", LDBL_MAX]) test(`${huge}: runs`, () => expect(status(`timeout ${huge} sleep 0`)).toBe(0));
  test("-LDBL_MAX: 125", () => expect(status(`timeout -- -${LDBL_MAX} sleep 0`)).toBe(125));
});
