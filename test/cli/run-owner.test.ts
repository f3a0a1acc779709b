// An entry's owner is an ancestor: $CLAUDE_PID counts only when it names one of the wrapper's
// ancestors. A shell that outlived its agent still exports it, and after pid reuse it names
// an unrelated process, whose exit would make the hand-supervised job owner-dead.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { rawRows } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, startTicks, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

describe("run's owner from $CLAUDE_PID", () => {
  test("a live process that is not an ancestor (the agent gone, its pid reused): no owner", async () => {
    sb = makeSandbox();
    const unrelated = Bun.spawn(["sleep", "100"], { stdio: ["ignore", "ignore", "ignore"] });
    sb.track(unrelated.pid);
    const r = await runCli(sb, ["run", "--", "true"], { env: { CLAUDE_PID: String(unrelated.pid) } });
    expect(r.exitCode).toBe(0);
    const [row] = rawRows(sb);
    expect(row).toMatchObject({ owner_pid: null, owner_start_ticks: null });
  });

  test("an ancestor: that one, with its start time", async () => {
    sb = makeSandbox();
    // The shell stays the wrapper's parent (`; exit`: bash does not exec the last command).
    const agent = Bun.spawn(["bash", "-c", 'CLAUDE_PID=$$ "$0" "$1" run -- true; exit $?', BUN, CLI], { env: sb.env, cwd: sb.dir, stdio: ["ignore", "ignore", "pipe"] });
    sb.track(agent.pid);
    const ticks = startTicks(agent.pid);
    expect(await agent.exited).toBe(0);
    const [row] = rawRows(sb);
    expect(row).toMatchObject({ owner_pid: agent.pid, owner_start_ticks: ticks });
  });

  test("a grandparent counts too; junk and pid 1 do not", async () => {
    sb = makeSandbox();
    const agent = Bun.spawn(["bash", "-c", 'CLAUDE_PID=$$ bash -c \'"$0" "$1" run -- true; exit $?\' "$0" "$1"; exit $?', BUN, CLI], { env: sb.env, cwd: sb.dir, stdio: ["ignore", "ignore", "pipe"] });
    sb.track(agent.pid);
    expect(await agent.exited).toBe(0);
    for (const junk of ["1", "abc", "-5", `${process.pid}x`]) await runCli(sb, ["run", "--", "true"], { env: { CLAUDE_PID: junk } });
    const rows = rawRows(sb);
    expect(rows.map((row) => row.owner_pid)).toEqual([agent.pid, null, null, null, null]);
  });
});
