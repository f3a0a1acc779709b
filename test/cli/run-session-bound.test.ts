// `run --session-bound`: what the command leaves at its exit stays tied to its session (its
// SessionEnd, or session-gone once the agent is gone) instead of being ended then.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll, rawRows } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const leftPid = (name: string) => {
  const pid = Number(readFileSync(join(sb.dir, name), "utf8").trim());
  sb.track(pid);
  return pid;
};

describe("run --session-bound", () => {
  test("without a session: a usage error (125), nothing run", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--session-bound", "--", "sh", "-c", `touch ${sb.dir}/ran`]);
    expect(r).toEqual({ exitCode: 125, stdout: "", stderr: "supervise: --session-bound needs a session (--session ID, or the agent's session in the environment)\n" });
    expect(await Bun.file(join(sb.dir, "ran")).exists()).toBe(false);
  });

  test("what `cmd &` leaves outlives the command; the entry records session_bound", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--session", "s-1", "--session-bound", "--", "sh", "-c", `sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/group.pid; setsid sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/escape.pid`]);
    expect(r.exitCode).toBe(0);
    const [inGroup, escaped] = [leftPid("group.pid"), leftPid("escape.pid")];
    expect(isAlive(inGroup)).toBe(true);
    expect(isAlive(escaped)).toBe(true);
    const [row] = rawRows(sb);
    expect(row).toMatchObject({ session: "s-1", session_bound: 1 });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", reason: null, exitStatus: 0 });
  });

  test("the agent's session from the environment is enough; without the flag the leftovers are ended as before", async () => {
    sb = makeSandbox();
    const env = { CLAUDE_CODE_SESSION_ID: "s-env" };
    await runCli(sb, ["run", "--session-bound", "--", "sh", "-c", `sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/bound.pid`], { env });
    await runCli(sb, ["run", "--", "sh", "-c", `sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/plain.pid`], { env });
    expect(isAlive(leftPid("bound.pid"))).toBe(true);
    expect(isAlive(leftPid("plain.pid"))).toBe(false);
    expect(rawRows(sb).map((row) => [row.session, row.session_bound])).toEqual([["s-env", 1], ["s-env", 0]]);
  });
});
