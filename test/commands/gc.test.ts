// `supervise gc` and the automatic gc of every sweep: finished entries and their output go,
// running ones never do.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { GcSchema, parseJson } from "../helpers/contract.ts";
import { lsAll, rawRows, startSupervised } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** Moves an entry's end into the past. */
function endedAgo(id: string, ms: number): void {
  const db = new Database(join(sb.home, "ledger.db"));
  db.query("UPDATE entries SET ended_at = ? WHERE id = ?").run(Date.now() - ms, id);
  db.close();
}

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
    endedAgo(finished[0]!, 2 * 3_600_000);
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

describe("automatic gc", () => {
  (namespaceUnavailable ? test.skip : test)("every (real) sweep applies gc.after and gc.keepFinished; a dry run removes nothing", async () => {
    sb = makeSandbox({ gc: { after: "1h", keepFinished: 2 } });
    for (let i = 0; i < 5; i++) await runCli(sb, ["run", "--capture", "--", "true"]);
    const ids = rawRows(sb).map((row) => row.id);
    endedAgo(ids[4]!, 2 * 3_600_000);
    expect((await runCli(sb, ["reap", "--dry-run"])).exitCode).toBe(0);
    expect(rawRows(sb)).toHaveLength(5);
    // A real sweep only inside a PID namespace: it must never touch this machine's processes.
    // The running entry starts there too, so the sweep can see its wrapper.
    const r = await inNamespace(
      sb,
      String.raw`
sv run --capture -- sleep 1000 >/dev/null &
has_pid() { sv ls --json | grep -Eq '"pid": [0-9]'; }
wait_until has_pid
sv reap --json >/dev/null; echo "EXIT $?"
echo "LEFT $(sv ls --all --json | tr -d '
')"
echo "OUTPUTS $(ls "$SUPERVISE_HOME/output" | tr '
' ' ')"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("0");
    const left = JSON.parse(r.values.get("LEFT")!) as Array<{ id: string; state: string }>;
    const running = left.find((e) => e.state === "running")!;
    // Newest two finished kept (the one ended 2 h ago went by age); the running one untouched.
    expect(left.map((e) => e.id).sort()).toEqual([ids[2]!, ids[3]!, running.id].sort());
    expect(r.values.get("OUTPUTS")!.trim().split(" ").sort()).toEqual([ids[2]!, ids[3]!, running.id].map((id) => `${id}.log`).sort());
  });
});
