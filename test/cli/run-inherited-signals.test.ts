// Launchers hand their children signal dispositions and masks that survive exec: SIGCHLD
// ignored, INT and QUIT ignored (`cmd &` in a non-interactive shell), a blocked mask. The
// wrapper must work under each, and its command must start with defaults.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { linesOf } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const EXEC_WITH = join(import.meta.dir, "..", "fixtures", "exec-with-signals.ts");
const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGTERM = 15, SIGCHLD = 17, SIGURG = 23;

/** `supervise run ARGS`, exec'd with these signals ignored and blocked. */
function runWith(inherit: { ignore?: readonly number[]; block?: readonly number[] }, args: string[]) {
  const flags = [...(inherit.ignore ? ["--ignore", inherit.ignore.join(",")] : []), ...(inherit.block ? ["--block", inherit.block.join(",")] : [])];
  const proc = Bun.spawn([BUN, EXEC_WITH, ...flags, "--", BUN, CLI, "run", ...args], {
    env: sb.env,
    cwd: sb.dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  return linesOf(proc);
}

/** The Sig* lines of /proc/self/status of a process the command starts (no shell, which resets some). */
const STATUS_OF_COMMAND = ["grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"];

function masks(stdout: string): { SigBlk: string; SigIgn: string } {
  const get = (key: string) => new RegExp(`^${key}:\\s*([0-9a-f]+)$`, "m").exec(stdout)?.[1] ?? "missing";
  return { SigBlk: get("SigBlk"), SigIgn: get("SigIgn") };
}

const NONE = "0000000000000000";

describe("inherited signal dispositions and masks", () => {
  test("SIGCHLD ignored: the command's status is still the exit status and the ledger's", async () => {
    sb = makeSandbox();
    const r = await runWith({ ignore: [SIGCHLD] }, ["--deadline", "10", "--", "sh", "-c", "exit 7"]).finish();
    expect(r).toEqual({ stdout: "", stderr: "", exitCode: 7 });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 7, signal: null, reason: null });
  });

  test("SIGCHLD, INT and QUIT ignored, every signal blocked that matters: the command starts with defaults", async () => {
    sb = makeSandbox();
    const r = await runWith({ ignore: [SIGCHLD, SIGINT, SIGQUIT], block: [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGURG] }, ["--", ...STATUS_OF_COMMAND]).finish();
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(masks(r.stdout)).toEqual({ SigBlk: NONE, SigIgn: NONE });
  });

  test("a blocked mask alone: the command starts with nothing blocked", async () => {
    sb = makeSandbox();
    const r = await runWith({ block: [SIGHUP, SIGINT, SIGTERM] }, ["--", ...STATUS_OF_COMMAND]).finish();
    expect(r).toMatchObject({ stderr: "", exitCode: 0 });
    expect(masks(r.stdout)).toEqual({ SigBlk: NONE, SigIgn: NONE });
  });

  for (const [name, number, inherit] of [
    ["SIGINT, inherited as ignored", SIGINT, { ignore: [SIGINT, SIGQUIT] }],
    ["SIGQUIT, inherited as ignored", SIGQUIT, { ignore: [SIGINT, SIGQUIT] }],
    ["SIGTERM, inherited as blocked", SIGTERM, { block: [SIGTERM, SIGCHLD] }],
    ["SIGINT, inherited as blocked", SIGINT, { block: [SIGINT] }],
  ] as const) {
    test(`${name}: still ends the command, exit 128+${number}`, async () => {
      sb = makeSandbox();
      const run = runWith(inherit, ["--", "sh", "-c", "echo $$; exec sleep 100"]);
      const command = Number(await run.nextLine());
      sb.track(command);
      process.kill(run.proc.pid, number);
      const r = await run.finish();
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(128 + number);
      await waitFor(() => !isAlive(command), 5_000, "the command to end");
      const [entry] = await lsAll(sb);
      expect(entry).toMatchObject({ state: "killed", reason: "signal" });
    });
  }

  test("parent death is noticed with the death signal blocked at start", async () => {
    sb = makeSandbox();
    const inner = `${BUN} ${EXEC_WITH} --block ${SIGURG} -- ${BUN} ${CLI} run -- sh -c 'echo $$; exec sleep 100' & wait`;
    const shell = Bun.spawn(["bash", "-c", inner], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    sb.track(shell.pid);
    const command = Number(await linesOf(shell).nextLine());
    sb.track(command);
    shell.kill("SIGKILL");
    await waitFor(() => !isAlive(command), 5_000, "the command to end");
    await waitFor(async () => (await lsAll(sb))[0]?.state === "killed", 5_000, "the end to be recorded");
    expect((await lsAll(sb))[0]).toMatchObject({ state: "killed", reason: "parent-died" });
  });
});
