// The wrapper's end is bounded: what the command leaves holding its output pipes (--capture)
// keeps the wrapper at most grace + 1 s, its deadline stays armed until the wrapper exits, and
// a signal to it ends the wait. What the command leaves is the wrapper's by kernel fact (it
// is their subreaper), with or without its cookie.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, readStatFields, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** The pid the command wrote to `name` in the sandbox, tracked for cleanup. */
async function pidFile(name: string): Promise<number> {
  const path = join(sb.dir, name);
  let pid = 0;
  await waitFor(() => {
    try {
      pid = Number(readFileSync(path, "utf8").trim());
    } catch {}
    return pid > 1;
  }, 10_000, `${name} to be written`);
  sb.track(pid);
  return pid;
}

const ppidOf = (pid: number) => Number(readStatFields(pid)?.[1] ?? 0);
const stateOf = (pid: number) => readStatFields(pid)?.[0] ?? null;

describe("what the command leaves holding its output", () => {
  test("`run --capture -d 3s -- bash -c 'env -i setsid sleep 12 &'`: the escape is ended, the wrapper returns within deadline + grace + 1 s", async () => {
    sb = makeSandbox();
    const started = Date.now();
    const run = startCli(sb, ["run", "--capture", "-d", "3s", "-g", "1s", "--", "bash", "-c", `env -i setsid sleep 12 & echo $! > ${sb.dir}/escape.pid`]);
    const escape = await pidFile("escape.pid");
    const r = await run.finish();
    const elapsed = Date.now() - started;
    // 12 s before: the wrapper waited for the sleep to close its pipes.
    expect(elapsed).toBeLessThan(3_000 + 1_000 + 1_000 + 1_500);
    expect(isAlive(escape)).toBe(false);
    const [entry] = await lsAll(sb);
    // Found as the wrapper's child (it is their subreaper) and ended as what the command left.
    expect(entry).toMatchObject({ state: "exited", reason: "leftovers", exitStatus: 0 });
    expect(r.exitCode).toBe(0);
  });

  test("a kept process in the command's group holds the pipes: the deadline, still armed, ends it (killed, deadline, 124)", async () => {
    sb = makeSandbox();
    const started = Date.now();
    const run = startCli(sb, ["run", "--capture", "-d", "1s", "-g", "5s", "--", "bash", "-c", `SUPERVISE_KEEP=1 sleep 30 & echo $! > ${sb.dir}/kept.pid`]);
    const kept = await pidFile("kept.pid");
    const r = await run.finish();
    // The drain alone would wait grace + 1 s = 6 s; the deadline comes first.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.exitCode).toBe(124);
    expect(isAlive(kept)).toBe(false);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "deadline", exitStatus: 124 });
  });

  test("a kept escape holds the pipes: the wait ends after grace + 1 s and the escape lives on", async () => {
    sb = makeSandbox();
    const started = Date.now();
    const run = startCli(sb, ["run", "--capture", "-d", "none", "-g", "500ms", "--", "bash", "-c", `SUPERVISE_KEEP=1 setsid sleep 30 & echo $! > ${sb.dir}/kept.pid`]);
    const kept = await pidFile("kept.pid");
    const r = await run.finish();
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(isAlive(kept)).toBe(true);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", reason: null, exitStatus: 0 });
  });

  test("TERM to the wrapper while it waits for the output ends the wait at once", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--capture", "-d", "none", "-g", "10s", "--", "bash", "-c", `SUPERVISE_KEEP=1 setsid sleep 30 & echo $! > ${sb.dir}/kept.pid; echo $$`]);
    const shell = Number(await run.nextLine());
    const kept = await pidFile("kept.pid");
    // The command has exited: the wrapper is only copying output (for up to 11 s).
    await waitFor(() => !isAlive(shell), 5_000, "the command to exit");
    const signalled = Date.now();
    run.proc.kill("SIGTERM");
    const r = await run.finish();
    expect(Date.now() - signalled).toBeLessThan(3_000);
    // Nothing the signal may end was left (a kept escape is not its to end): the command's own end.
    expect(r.exitCode).toBe(0);
    expect(isAlive(kept)).toBe(true);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitStatus: 0 });
  });

  test("INT while it waits for the output ends the wait too, and what the signal may end: a kept member of the command's own group", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--capture", "-d", "none", "-g", "1s", "--", "bash", "-c", `SUPERVISE_KEEP=1 sleep 30 & echo $! > ${sb.dir}/kept.pid; echo $$`]);
    const shell = Number(await run.nextLine());
    const member = await pidFile("kept.pid");
    await waitFor(() => !isAlive(shell), 5_000, "the command to exit");
    run.proc.kill("SIGINT");
    const r = await run.finish();
    // bash starts `&` jobs with INT ignored: the grace period, then KILL.
    expect(isAlive(member)).toBe(false);
    expect(r.exitCode).toBe(128 + 2);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "signal", exitStatus: 130 });
  });
});

describe("the wrapper is its command's subreaper", () => {
  test("what the command leaves is reparented to the wrapper, and reaped by it when it exits", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--", "bash", "-c", `(setsid sleep 1 & echo $! > ${sb.dir}/adopted.pid); sleep 30`]);
    const adopted = await pidFile("adopted.pid");
    // Its parent, the subshell, exited at once: the kernel reparents it to the wrapper, not to init.
    await waitFor(() => ppidOf(adopted) === run.proc.pid, 5_000, "the orphan to be reparented to the wrapper");
    // Exited: reaped by the wrapper, not left a zombie under it while the command runs on.
    await waitFor(() => stateOf(adopted) === null, 5_000, "the adopted sleep to be reaped");
    run.proc.kill("SIGTERM");
    expect((await run.finish()).exitCode).toBe(143);
  });

  test("an adopted child's exit does not disturb the wrapper's wait for the command", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--", "bash", "-c", `(setsid sleep 0.2 &); sleep 1; exit 7`]);
    const r = await run.finish();
    expect(r.exitCode).toBe(7);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 7 });
  });
});
