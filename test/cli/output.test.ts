// A reader that goes away (`supervise ls | head`, EPIPE) is not an error: the output is
// dropped, the command finishes its work with its own exit status, `logs --follow` stops.
// Other write failures are one clean line and exit 1; hooks still exit 0.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { shellQuote } from "../../src/render/shell-quote.ts";
import { lsAll, startSupervised } from "../helpers/ledger.ts";
import { BUN, CLI, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** Runs `supervise ARGS | head -n 1` in sh: supervise's status and stderr, and what head printed. */
async function pipedToHead(args: string[]): Promise<{ exitCode: number; stderr: string; head: string }> {
  const script = `{ ${[BUN, CLI, ...args].map(shellQuote).join(" ")} 2>"$0"; echo $? > "$0.code"; } | head -n 1`;
  const errFile = `${sb.dir}/piped.err`;
  const proc = Bun.spawn(["sh", "-c", script, errFile], { env: sb.env, cwd: sb.dir, stdout: "pipe", stderr: "inherit" });
  sb.track(proc.pid);
  const [head] = await Promise.all([proc.stdout.text(), proc.exited]);
  return { exitCode: Number((await Bun.file(`${errFile}.code`).text()).trim()), stderr: await Bun.file(errFile).text(), head };
}

/**
 * An entry whose captured output (~590 KiB) is far more than a pipe holds, still running.
 * It writes to stderr, which the test drains: a full stdout pipe nobody reads would hold
 * the command back (the pass-through blocks, as a pipe should), and the copy with it.
 */
async function chattyEntry() {
  const entry = await startSupervised(sb, ["--capture"], "seq 1 100000 >&2; exec sleep 100");
  const log = Bun.file(`${sb.home}/output/${entry.id}.log`);
  await waitFor(async () => (await log.text()).includes("\n100000\n"), 10_000, "the captured output");
  return entry;
}

describe("stdout's reader goes away", () => {
  test("logs: quiet, exit 0, and the first line reached the reader", async () => {
    sb = makeSandbox();
    const entry = await chattyEntry();
    expect(await pipedToHead(["logs", entry.id])).toEqual({ exitCode: 0, stderr: "", head: `${entry.id} ${entry.pid}\n` });
  });

  test("logs --follow stops following (the entry still runs) instead of waiting for its end", async () => {
    sb = makeSandbox();
    const entry = await chattyEntry();
    expect(await pipedToHead(["logs", "--follow", entry.id])).toEqual({ exitCode: 0, stderr: "", head: `${entry.id} ${entry.pid}\n` });
    expect(isAlive(entry.pid)).toBe(true);
    expect((await lsAll(sb)).map((e) => e.state)).toEqual(["running"]);
  });

  test("kill: the entry is killed, and the exit status is kill's own (0), not a write error", async () => {
    sb = makeSandbox();
    const entry = await startSupervised(sb, []);
    const proc = Bun.spawn([BUN, CLI, "kill", entry.id], { env: sb.env, cwd: sb.dir, stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    // Closing our end before the CLI has started makes its one write fail with EPIPE.
    await proc.stdout.cancel();
    const [stderr, exitCode] = await Promise.all([proc.stderr.text(), proc.exited]);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "" });
    expect(await entry.run.proc.exited).toBe(143);
    expect((await lsAll(sb))[0]).toMatchObject({ state: "killed", reason: "manual" });
  });
});

describe("stdout cannot be written", () => {
  test("a full device: one line naming the error, exit 1", async () => {
    sb = makeSandbox();
    await startSupervised(sb, []);
    const proc = Bun.spawn([BUN, CLI, "ls", "--json"], { env: sb.env, cwd: sb.dir, stdout: Bun.file("/dev/full"), stderr: "pipe" });
    sb.track(proc.pid);
    const [stderr, exitCode] = await Promise.all([proc.stderr.text(), proc.exited]);
    expect({ exitCode, stderr }).toEqual({ exitCode: 1, stderr: "supervise: cannot write to standard output: ENOSPC: no space left on device, write\n" });
  });

  test("a hook still exits 0 and says why on stderr", async () => {
    sb = makeSandbox({ hooks: { reapInterval: "none" } });
    const input = JSON.stringify({ session_id: "s", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "sleep 1", run_in_background: true } });
    const proc = Bun.spawn([BUN, CLI, "hook", "pre-tool-use"], { env: sb.env, cwd: sb.dir, stdin: new TextEncoder().encode(input), stdout: Bun.file("/dev/full"), stderr: "pipe" });
    sb.track(proc.pid);
    const [stderr, exitCode] = await Promise.all([proc.stderr.text(), proc.exited]);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: "supervise: hook: cannot write to standard output: ENOSPC: no space left on device, write\n" });
  });

  test("closed stdout: Bun puts /dev/null there, so the command runs and exits 0", async () => {
    sb = makeSandbox();
    const proc = Bun.spawn(["sh", "-c", `${shellQuote(BUN)} ${shellQuote(CLI)} ls >&-`], { env: sb.env, cwd: sb.dir, stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    const [stdout, stderr, exitCode] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    expect({ stdout, stderr, exitCode }).toEqual({ stdout: "", stderr: "", exitCode: 0 });
  });
});
