// `run --capture` between a command and a reader that goes away: the command's pipe breaks as
// it would unwrapped (SIGPIPE, or EPIPE where ignored), while the other stream still passes
// through and the file keeps what arrived. Each pipeline runs in bash, wrapped and unwrapped,
// and their PIPESTATUS must be the same.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(40_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** The deadline that ends a wrapper that never notices (the code before: it ran until it, 124). */
const BOUND = "8s";

/** Runs a bash pipeline; `$SV` is `supervise run --capture -d BOUND --` or nothing. Prints `PIPESTATUS`. */
async function pipeline(script: string, wrapped: boolean): Promise<{ status: string; stderr: string }> {
  const sv = wrapped ? `"$BUN" "$CLI" run --capture -d ${BOUND} --` : "";
  const proc = Bun.spawn(["bash", "-c", `${script.replaceAll("$SV", sv)}; echo "\${PIPESTATUS[*]}" > "$D/status"`], {
    env: { ...sb.env, BUN, CLI, D: sb.dir },
    cwd: sb.dir,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  const [stderr] = await Promise.all([proc.stderr.text(), proc.exited]);
  return { status: readFileSync(join(sb.dir, "status"), "utf8").trim(), stderr };
}

const capturedOutput = async () => {
  const [entry] = await lsAll(sb);
  return readFileSync(join(sb.home, "output", `${entry.id}.log`), "utf8");
};

describe("run --capture when our reader goes away", () => {
  test("`yes | head -1`: yes dies of SIGPIPE at once (141 0), as unwrapped; the file keeps what arrived", async () => {
    sb = makeSandbox();
    const plain = await pipeline("yes | head -1 > /dev/null", false);
    const wrapped = await pipeline("$SV yes | head -1 > /dev/null", true);
    expect(plain.status).toBe("141 0");
    expect(wrapped).toEqual({ status: plain.status, stderr: "" });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitStatus: 141 });
    expect((await capturedOutput()).startsWith("y\ny\n")).toBe(true);
  });

  test("stdout's reader goes: stderr still passes through, and the command's own status is ours", async () => {
    sb = makeSandbox();
    const script = (sv: string) => `${sv} sh -c 'yes; echo "after $?" >&2; exit 3' 2> "$D/err" | head -1 > /dev/null`;
    const plain = await pipeline(script(""), false);
    const plainErr = readFileSync(join(sb.dir, "err"), "utf8");
    const wrapped = await pipeline(script("$SV"), true);
    expect(plain.status).toBe("3 0");
    expect(wrapped.status).toBe(plain.status);
    // yes died of SIGPIPE (141) under both, and the shell's stderr reached the file behind ours.
    expect(readFileSync(join(sb.dir, "err"), "utf8")).toBe(plainErr);
    expect(plainErr).toBe("after 141\n");
    expect(await capturedOutput()).toEndWith("after 141\n");
  });

  test("stderr's reader goes: the command's writes to stderr break, stdout still passes through", async () => {
    sb = makeSandbox();
    const script = (sv: string) => `${sv} sh -c 'yes >&2; echo "after $?"' 2>&1 > "$D/out" | head -1 > /dev/null`;
    const plain = await pipeline(script(""), false);
    const plainOut = readFileSync(join(sb.dir, "out"), "utf8");
    const wrapped = await pipeline(script("$SV"), true);
    expect(plain.status).toBe("0 0");
    expect(wrapped.status).toBe(plain.status);
    expect(plainOut).toBe("after 141\n");
    expect(readFileSync(join(sb.dir, "out"), "utf8")).toBe(plainOut);
  });

  test("a command that ignores SIGPIPE gets EPIPE on its next write, as unwrapped", async () => {
    sb = makeSandbox();
    // trap '' PIPE is inherited by the exec'd yes: it reports the error and exits 1.
    const script = (sv: string) => `${sv} bash -c "trap '' PIPE; yes" 2> "$D/err" | head -1 > /dev/null`;
    const plain = await pipeline(script(""), false);
    const plainErr = readFileSync(join(sb.dir, "err"), "utf8");
    const wrapped = await pipeline(script("$SV"), true);
    expect(plain.status).toBe("1 0");
    expect(wrapped.status).toBe(plain.status);
    expect(readFileSync(join(sb.dir, "err"), "utf8")).toBe(plainErr);
    expect(plainErr).toContain("Broken pipe");
  });
});
