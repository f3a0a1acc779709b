// Deadline, escalation and escape: every process of the command ends, and the ledger says how.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, pgidOf, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** Reads `n` pid lines printed by the command, tracking each for cleanup. */
async function pids(run: ReturnType<typeof startCli>, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const pid = Number(await run.nextLine());
    expect(pid).toBeGreaterThan(1);
    sb.track(pid);
    out.push(pid);
  }
  return out;
}

describe("deadline", () => {
  test("kills the whole tree: the shell and its background child", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--deadline", "500ms", "--", "sh", "-c", "sleep 100 & echo $!; echo $$; sleep 100"]);
    const [bg, shell] = await pids(run, 2);
    const r = await run.finish();
    expect(r.exitCode).toBe(124);
    expect(isAlive(bg!)).toBe(false);
    expect(isAlive(shell!)).toBe(false);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "deadline" });
  });

  test("a TERM-ignoring tree needs SIGKILL after the grace period", async () => {
    sb = makeSandbox();
    const started = Date.now();
    const run = startCli(sb, [
      "run",
      "--deadline",
      "300ms",
      "--grace",
      "400ms",
      "--",
      "sh",
      "-c",
      // Ignored signals stay ignored across exec, so the background sleep ignores TERM too.
      "trap '' TERM; sleep 100 & echo $!; echo $$; while :; do sleep 1; done",
    ]);
    const [bg, shell] = await pids(run, 2);
    const r = await run.finish();
    const elapsed = Date.now() - started;
    // The command itself needed SIGKILL: 137, as GNU timeout gives.
    expect(r.exitCode).toBe(137);
    expect(isAlive(bg!)).toBe(false);
    expect(isAlive(shell!)).toBe(false);
    // It waited for the grace period before SIGKILL (not a timing assertion on speed).
    expect(elapsed).toBeGreaterThanOrEqual(700);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "deadline", signal: "KILL" });
  });

  test("a child that escaped the group with setsid is still killed through its cookie", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--deadline", "500ms", "--", "sh", "-c", "setsid sleep 100 & echo $!; echo $$; sleep 100"]);
    const [escaped, shell] = await pids(run, 2);
    await waitFor(() => pgidOf(escaped!) === escaped, 5_000, "setsid to take effect");
    expect(pgidOf(escaped!)).not.toBe(pgidOf(shell!));
    const r = await run.finish();
    expect(r.exitCode).toBe(124);
    expect(isAlive(escaped!)).toBe(false);
  });

  test("--signal INT is the first signal", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "-d", "300ms", "-s", "INT", "--", "sh", "-c", "trap 'echo got INT; exit 7' INT; echo ready; while :; do sleep 0.05; done"]);
    expect(await run.nextLine()).toBe("ready");
    const r = await run.finish();
    expect(r.stdout).toContain("got INT");
    expect(r.exitCode).toBe(124);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "deadline", exitCode: 7, signal: null });
  });
});

describe("signals sent to the wrapper", () => {
  test("USR1 is forwarded and the command keeps running", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--", "sh", "-c", "trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.05; done"]);
    expect(await run.nextLine()).toBe("ready");
    run.proc.kill("SIGUSR1");
    expect(await run.nextLine()).toBe("got USR1");
    run.proc.kill("SIGTERM");
    const r = await run.finish();
    expect(r.exitCode).toBe(128 + 15);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "signal", signal: "TERM" });
  });

  test.each([
    ["SIGINT", 2],
    ["SIGHUP", 1],
    ["SIGQUIT", 3],
  ] as const)("%s is forwarded to the whole group, exit 128+%d", async (name, number) => {
    sb = makeSandbox();
    // A non-interactive sh starts `&` jobs with INT and QUIT ignored (POSIX), so those
    // need the SIGKILL after the grace period; HUP ends them at once.
    const run = startCli(sb, ["run", "--grace", "300ms", "--", "sh", "-c", "sleep 100 & echo $!; echo $$; wait"]);
    const [bg, shell] = await pids(run, 2);
    run.proc.kill(name);
    const r = await run.finish();
    expect(r.exitCode).toBe(128 + number);
    expect(isAlive(bg!)).toBe(false);
    expect(isAlive(shell!)).toBe(false);
  });

  test("a TERM-ignoring command is SIGKILLed after the grace period", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--grace", "300ms", "--", "sh", "-c", "trap '' TERM; echo $$; while :; do sleep 0.05; done"]);
    const [shell] = await pids(run, 1);
    run.proc.kill("SIGTERM");
    const r = await run.finish();
    expect(r.exitCode).toBe(143);
    expect(isAlive(shell!)).toBe(false);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "signal", signal: "KILL" });
  });
});

describe("leftovers when the command exits by itself", () => {
  test("`cmd &` in the group and a setsid'd child are both ended; the status is the command's", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--grace", "1s", "--", "sh", "-c", "sleep 100 & echo $!; setsid sleep 100 & echo $!; exit 3"]);
    const [inGroup, escaped] = await pids(run, 2);
    const r = await run.finish();
    expect(r.exitCode).toBe(3);
    expect(isAlive(inGroup!)).toBe(false);
    expect(isAlive(escaped!)).toBe(false);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 3, reason: "leftovers" });
  });

  test("--keep-orphaned leaves them running", async () => {
    sb = makeSandbox();
    // The survivor must not hold our stdout pipe open, or reading to EOF would wait for it.
    const run = startCli(sb, ["run", "--keep-orphaned", "--", "sh", "-c", "sleep 100 >/dev/null 2>&1 & echo $!"]);
    const [bg] = await pids(run, 1);
    const r = await run.finish();
    expect(r.exitCode).toBe(0);
    expect(isAlive(bg!)).toBe(true);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 0, reason: null });
  });
});
