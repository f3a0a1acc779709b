// `supervise restart ID`: the recorded command again, in its recorded working directory and
// with its recorded options, as a new entry that names the one it restarts when it had no name.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll, rawRows } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe("supervise restart", () => {
  test("the same command, directory and options, from anywhere; the last one of a name is the one named", async () => {
    sb = makeSandbox();
    const work = join(sb.dir, "work");
    mkdirSync(work);
    const first = await runCli(sb, ["run", "-d", "5s", "-g", "1s", "-s", "INT", "-n", "web", "--session", "s-1", "--", "sh", "-c", 'pwd; echo "$@"; exit 3', "x", "a b", "c"], { cwd: work });
    expect(first).toEqual({ exitCode: 3, stdout: `${work}\na b c\n`, stderr: "" });
    const [old] = await lsAll(sb);
    const again = await runCli(sb, ["restart", "web"]);
    expect(again).toEqual({ exitCode: 3, stdout: `${work}\na b c\n`, stderr: `supervise: restarting ${old!.id}: sh -c pwd; echo "$@"; exit 3 x a b c\n` });
    const rows = rawRows(sb).sort((a, b) => a.started_at - b.started_at);
    expect(rows).toHaveLength(2);
    const [a, b] = rows;
    expect([b.command, b.cwd, b.grace_ms, b.first_signal, b.session, b.name]).toEqual([a.command, a.cwd, 1000, "INT", "s-1", "web"]);
    expect(b.deadline_at - b.started_at).toBe(5000);
    expect(b.id).not.toBe(a.id);
  });

  test("an entry without a name: the new one is named after it; a directory gone: 125, nothing run", async () => {
    sb = makeSandbox();
    const gone = join(sb.dir, "gone");
    mkdirSync(gone);
    await runCli(sb, ["run", "--", "true"], { cwd: gone });
    const [old] = await lsAll(sb);
    expect((await runCli(sb, ["restart", old!.id])).exitCode).toBe(0);
    expect((await lsAll(sb)).map((e) => e.name)).toContain(`restart of ${old!.id}`);
    rmSync(gone, { recursive: true });
    expect(await runCli(sb, ["restart", old!.id])).toEqual({ exitCode: 125, stdout: "", stderr: `supervise: cannot restart ${old!.id}: its working directory ${gone} is gone\n` });
    expect(await lsAll(sb)).toHaveLength(2);
    expect((await runCli(sb, ["restart"])).exitCode).toBe(2);
  });
});
