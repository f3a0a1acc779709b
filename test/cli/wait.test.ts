// `supervise wait`: blocks until the entries end, however they end, and exits as the last
// one's wrapper did; --timeout exits 124.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli.ts";
import { EntryListSchema, parseJson } from "../helpers/contract.ts";
import { hasLedgerOpen, isWatching, rawRows, startSupervised } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** As if the entry's wrapper had run in another pid namespace (a sandbox sharing the state dir). */
function recordElsewhere(id: string): void {
  const db = new Database(join(sb.home, "ledger.db"));
  // A running wrapper writes too (its command's activity).
  db.run("PRAGMA busy_timeout = 5000");
  db.query("UPDATE entries SET pid_namespace = 'pid:[1]' WHERE id = ?").run(id);
  db.close();
}

/** A command that waits for a file, so the test decides when it ends. */
function gated(name: string, then: string) {
  return `while [ ! -e ${sb.dir}/${name} ]; do sleep 0.02; done; ${then}`;
}

describe("supervise wait", () => {
  test("exits with the command's status once it exits; --json lists the ends", async () => {
    sb = makeSandbox();
    const { id } = await startSupervised(sb, [], gated("go", "exit 7"));
    const waiting = startCli(sb, ["wait", id, "--json"]);
    // In its polling loop (the ledger is open) and still waiting while the command runs.
    await waitFor(() => hasLedgerOpen(waiting.proc.pid), 5_000, "wait to open the ledger");
    expect(isAlive(waiting.proc.pid)).toBe(true);
    await Bun.write(`${sb.dir}/go`, "");
    const r = await waiting.finish();
    expect(r.exitCode).toBe(7);
    expect(parseJson(EntryListSchema, r.stdout)[0]).toMatchObject({ id, state: "exited", exitCode: 7 });
  });

  test("deadline: 124; kill: 128+15; several ids: the last one's status", async () => {
    sb = makeSandbox();
    const deadline = await startSupervised(sb, ["-d", "300ms"]);
    const killed = await startSupervised(sb, []);
    const exited = await startSupervised(sb, [], gated("go", "exit 4"));
    const waitDeadline = startCli(sb, ["wait", deadline.id]);
    const waitKilled = startCli(sb, ["wait", killed.id]);
    const waitAll = startCli(sb, ["wait", exited.id, deadline.id, killed.id]);
    expect((await waitDeadline.finish()).exitCode).toBe(124);
    expect((await runCli(sb, ["kill", killed.id])).exitCode).toBe(0);
    expect((await waitKilled.finish()).exitCode).toBe(143);
    // The last id given has ended, the first has not: still waiting.
    expect(isAlive(waitAll.proc.pid)).toBe(true);
    await Bun.write(`${sb.dir}/go`, "");
    expect((await waitAll.finish()).exitCode).toBe(143);
    expect((await runCli(sb, ["wait", exited.id])).exitCode).toBe(4);
  });

  test("an orphan (wrapper SIGKILLed) is waited for until something finishes it; a lost entry ends the wait with 1", async () => {
    sb = makeSandbox();
    const orphan = await startSupervised(sb, []);
    const lost = await startSupervised(sb, []);
    for (const x of [orphan, lost]) {
      x.run.proc.kill("SIGKILL");
      await x.run.proc.exited;
    }
    const waitOrphan = startCli(sb, ["wait", orphan.id]);
    const waitLost = startCli(sb, ["wait", lost.id]);
    process.kill(lost.pid, "SIGKILL");
    const lostResult = await waitLost.finish();
    expect(lostResult.exitCode).toBe(1);
    await waitFor(() => hasLedgerOpen(waitOrphan.proc.pid), 5_000, "wait to open the ledger");
    expect(isAlive(waitOrphan.proc.pid)).toBe(true);
    // Finished by someone else (here kill; the reaper records the same way).
    expect((await runCli(sb, ["kill", orphan.id])).exitCode).toBe(0);
    expect((await waitOrphan.finish()).exitCode).toBe(143);
  });

  test("returns exactly what run exited with: TERM to the wrapper of a TERM-ignoring command is 143, not the KILL it took", async () => {
    sb = makeSandbox();
    const { run, id, pid } = await startSupervised(sb, ["--grace", "200ms"], "trap '' TERM; while :; do sleep 0.05; done");
    run.proc.kill("SIGTERM");
    expect((await run.finish()).exitCode).toBe(143);
    expect(isAlive(pid)).toBe(false);
    const r = await runCli(sb, ["wait", id, "--json"]);
    expect(r.exitCode).toBe(143);
    expect(parseJson(EntryListSchema, r.stdout)[0]).toMatchObject({ id, state: "killed", reason: "signal", signal: "KILL", exitStatus: 143 });
    const [entry] = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--all", "--json"])).stdout);
    expect(entry).toMatchObject({ id, exitStatus: 143 });
  });

  test("--timeout: 124 and the ids still running; the command is left alone", async () => {
    sb = makeSandbox();
    const { id, pid } = await startSupervised(sb, []);
    const r = await runCli(sb, ["wait", id, "--timeout", "200ms"]);
    expect(r).toEqual({ exitCode: 124, stdout: "", stderr: `supervise: wait: timed out after 200ms; still running: ${id}\n` });
    expect(isAlive(pid)).toBe(true);
  });

  test("an entry recorded in another pid namespace is waited for until its end is recorded, even with nothing of it visible here", async () => {
    sb = makeSandbox();
    const elsewhere = await startSupervised(sb, []);
    const running = await startSupervised(sb, []);
    // Nothing of it is left here: from its own namespace this would be lost, from here it is unknown.
    elsewhere.run.proc.kill("SIGKILL");
    await elsewhere.run.proc.exited;
    process.kill(elsewhere.pid, "SIGKILL");
    await waitFor(() => !isAlive(elsewhere.pid), 5_000, "the command to die");
    recordElsewhere(elsewhere.id);
    // Longer than a lost entry takes to settle (1 s): still not ended.
    const timedOut = await runCli(sb, ["wait", running.id, elsewhere.id, "--timeout", "1500ms", "--json"]);
    expect(timedOut.exitCode).toBe(124);
    expect(timedOut.stderr).toBe(`supervise: wait: timed out after 1500ms; still running: ${running.id}; no end recorded yet (another pid namespace): ${elsewhere.id}\n`);
    expect(JSON.parse(timedOut.stdout)).toEqual([
      { id: running.id, state: "running" },
      { id: elsewhere.id, state: "unknown" },
    ]);
    const waiting = startCli(sb, ["wait", elsewhere.id]);
    await waitFor(() => hasLedgerOpen(waiting.proc.pid), 5_000, "wait to open the ledger");
    // Its wrapper, over there, records the end.
    const db = new Database(join(sb.home, "ledger.db"));
    db.query("UPDATE entries SET state = 'exited', ended_at = ?, exit_code = 0, exit_status = 0 WHERE id = ?").run(Date.now(), elsewhere.id);
    db.close();
    expect((await waiting.finish()).exitCode).toBe(0);
  });

  test("an already finished entry returns at once; bad ids and flags exit 2", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "sh", "-c", "exit 5"]);
    const [{ id }] = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout);
    expect((await runCli(sb, ["wait", id])).exitCode).toBe(5);
    expect(await runCli(sb, ["wait", "nosuch"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: no entry 'nosuch' (an id or its prefix, a --name, or a live pid, from supervise ls)\n" });
    expect((await runCli(sb, ["wait"])).exitCode).toBe(2);
    expect((await runCli(sb, ["wait", id, "--timeout", "soon"])).exitCode).toBe(2);
  });

  test("--session ID and --all: every entry running at the start, the last one's status; nothing running is exit 0 at once", async () => {
    sb = makeSandbox();
    // Gated, not timed: both must still run when wait lists what runs (CI saw both end first under load).
    const a = await startSupervised(sb, ["--session", "sess-one"], gated("go-a", "exit 3"));
    const b = await startSupervised(sb, ["--session", "sess-one"], gated("go-b", "exit 4"));
    const other = await startSupervised(sb, ["--session", "sess-two"]);
    const listing = startCli(sb, ["wait", "--session", "sess-o", "--json"]);
    await waitFor(() => isWatching(listing.proc.pid), 5_000, "wait to list what runs");
    await Bun.write(`${sb.dir}/go-a`, "");
    await waitFor(() => rawRows(sb).some((row) => row.id === a.id && row.ended_at !== null), 5_000, "a to end");
    await Bun.write(`${sb.dir}/go-b`, "");
    const r = await listing.finish();
    expect(r.exitCode).toBe(4);
    expect(JSON.parse(r.stdout).map((e: { id: string; state: string }) => [e.id, e.state])).toEqual([
      [a.id, "exited"],
      [b.id, "exited"],
    ]);
    expect(isAlive(other.pid)).toBe(true);
    expect(await runCli(sb, ["wait", "--session", "sess-one"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    // wait lists what runs first (then it watches the state dir), then the kill.
    const waiting = startCli(sb, ["wait", "--all", "--timeout", "10s"]);
    await waitFor(() => isWatching(waiting.proc.pid), 5_000, "wait to list what runs");
    await runCli(sb, ["kill", "--all", "--grace", "1s"]);
    expect((await waiting.finish()).exitCode).toBe(143);
    expect((await runCli(sb, ["wait", "x", "--all"])).exitCode).toBe(2);
  });
});
