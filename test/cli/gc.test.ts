// `supervise gc`: finished entries and their output go, running ones never do.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { GcSchema, parseJson } from "../helpers/contract.ts";
import { lsAll, rawRows, startSupervised, endedAgo } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());


const outputs = () => (existsSync(join(sb.home, "output")) ? readdirSync(join(sb.home, "output")).sort() : []);

describe("supervise gc", () => {
  test("removes finished entries and their output; never a running one (orphaned included); --older-than keeps recent ends", async () => {
    sb = makeSandbox();
    for (const code of [0, 1, 2]) await runCli(sb, ["run", "--capture", "--", "sh", "-c", `echo out; exit ${code}`]);
    const running = await startSupervised(sb, ["--capture"]);
    const orphan = await startSupervised(sb, []);
    orphan.run.proc.kill("SIGKILL");
    await orphan.run.proc.exited;
    const lost = await startSupervised(sb, []);
    lost.run.proc.kill("SIGKILL");
    await lost.run.proc.exited;
    process.kill(lost.pid, "SIGKILL");
    await waitFor(() => !isAlive(lost.pid), 5_000, "the lost command to die");

    const finished = (await lsAll(sb)).filter((e) => e.endedAt !== null).map((e) => e.id);
    expect(finished).toHaveLength(3);
    endedAgo(sb, finished[0]!, 2 * 3_600_000);
    expect(outputs()).toHaveLength(4);

    const first = await runCli(sb, ["gc", "--older-than", "1h", "--json"]);
    expect(first.exitCode).toBe(0);
    expect(parseJson(GcSchema, first.stdout)).toEqual({ markedLost: [lost.id], removed: [finished[0]!], strayOutputs: 0 });
    expect(outputs()).not.toContain(`${finished[0]}.log`);

    const second = await runCli(sb, ["gc"]);
    expect(second).toEqual({ exitCode: 0, stderr: "", stdout: "removed 3 finished entries\n" });
    const left = rawRows(sb).map((row) => row.id).sort();
    expect(left).toEqual([running.id, orphan.id].sort());
    expect(outputs()).toEqual([`${running.id}.log`]);
    expect(isAlive(running.pid) && isAlive(orphan.pid)).toBe(true);
    expect((await runCli(sb, ["gc"])).stdout).toBe("removed 0 finished entries\n");
  });

  test("stray output files (no ledger row) go only after an hour untouched", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--capture", "--", "true"]);
    const dir = join(sb.home, "output");
    writeFileSync(join(dir, "strayfresh.log"), "x");
    writeFileSync(join(dir, "strayold00.log"), "x");
    writeFileSync(join(dir, "strayold00.log.1"), "x");
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(dir, "strayold00.log"), old, old);
    utimesSync(join(dir, "strayold00.log.1"), old, old);
    const r = parseJson(GcSchema, (await runCli(sb, ["gc", "--json"])).stdout);
    expect(r.strayOutputs).toBe(2);
    expect(readdirSync(dir)).toEqual(["strayfresh.log"]);
  });

  test("bad flags: exit 2, nothing removed", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const r = await runCli(sb, ["gc", "--older-than", "soon"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toStartWith("supervise: invalid duration for --older-than");
    expect(rawRows(sb)).toHaveLength(1);
  });
});
