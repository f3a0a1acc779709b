// `supervise ls` against real supervised processes: live states, filters, --json as the
// contract says, and the table in a narrow terminal.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { EntryListSchema, parseJson } from "../helpers/contract.ts";
import { startSupervised, writeLedgerAtV4 } from "../helpers/ledger.ts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** As if the entry's wrapper had run in another pid namespace (a sandbox sharing the state dir). */
function recordElsewhere(id: string): void {
  const db = new Database(join(sb.home, "ledger.db"));
  db.query("UPDATE entries SET pid_namespace = 'pid:[1]' WHERE id = ?").run(id);
  db.close();
}

async function ls(args: string[] = [], env: Record<string, string> = {}) {
  const r = await runCli(sb, ["ls", ...args], { env });
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

describe("supervise ls", () => {
  test("no ledger yet: an empty list, and nothing is created", async () => {
    sb = makeSandbox();
    expect(await ls(["--json"])).toBe("[]\n");
    expect(await ls()).toBe("nothing running (supervise ls --all lists finished entries)\n");
    expect(await ls(["--all"])).toBe("no entries\n");
    expect(await Bun.file(`${sb.home}/ledger.db`).exists()).toBe(false);
  });

  test("running, finished, orphaned and lost entries; --session; --json validates against the contract", async () => {
    sb = makeSandbox();
    expect((await runCli(sb, ["run", "-n", "done", "--", "sh", "-c", "exit 3"])).exitCode).toBe(3);
    const a = await startSupervised(sb, ["--session", "s-a", "-d", "1h"]);
    const b = await startSupervised(sb, ["--session", "s-b", "-d", "none"]);
    const orphan = await startSupervised(sb, ["--session", "s-b"]);
    const lost = await startSupervised(sb, ["--session", "s-b"]);
    // The wrapper dies with SIGKILL (no chance to act): its command lives on, orphaned.
    orphan.run.proc.kill("SIGKILL");
    await orphan.run.proc.exited;
    lost.run.proc.kill("SIGKILL");
    await lost.run.proc.exited;
    process.kill(lost.pid, "SIGKILL");
    await waitFor(() => !isAlive(lost.pid), 5_000, "the lost command to die");

    const running = parseJson(EntryListSchema, await ls(["--json"]));
    const byId = new Map(running.map((e) => [e.id, e]));
    expect(running).toHaveLength(4);
    expect(byId.get(a.id)).toMatchObject({ state: "running", pid: a.pid, pgid: a.pid, session: "s-a", endedAt: null });
    expect(byId.get(b.id)!.deadlineAt).toBeNull();
    expect(byId.get(orphan.id)!.state).toBe("orphaned");
    expect(byId.get(lost.id)!.state).toBe("lost");

    const all = parseJson(EntryListSchema, await ls(["--all", "--json"]));
    expect(all).toHaveLength(5);
    expect(all[0]).toMatchObject({ state: "exited", exitCode: 3, name: "done", command: ["sh", "-c", "exit 3"] });

    const sessionB = parseJson(EntryListSchema, await ls(["--session", "s-b", "--json"]));
    expect(sessionB.map((e) => e.id).sort()).toEqual([b.id, orphan.id, lost.id].sort());
    // --state: finished ones are looked for too; repeatable or a comma list; a bad state is exit 2.
    const ids = (list: string) => parseJson(EntryListSchema, list).map((e) => e.id).sort();
    expect(ids(await ls(["--state", "orphaned", "--json"]))).toEqual([orphan.id]);
    expect(ids(await ls(["--state", "lost,orphaned", "--json"]))).toEqual([orphan.id, lost.id].sort());
    expect(ids(await ls(["--state", "lost", "--state", "orphaned", "--json"]))).toEqual([orphan.id, lost.id].sort());
    expect(parseJson(EntryListSchema, await ls(["--state", "exited", "--json"])).map((e) => e.name)).toEqual(["done"]);
    expect(await runCli(sb, ["ls", "--state", "dead"])).toEqual({ exitCode: 2, stdout: "", stderr: 'supervise: invalid state for --state: "dead" (one of running, exited, killed, orphaned, lost, unknown)\n' });

    // Of that name or prefix none: exit 2, naming it; a prefix of two: exit 2 too.
    expect(await runCli(sb, ["ls", "--session", "nobody", "--json"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: no session 'nobody' in the ledger (a session id or its prefix, from supervise ls)\n" });
    expect(await runCli(sb, ["ls", "--session", "s-", "--json"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: ambiguous session 's-': matches s-a, s-b\n" });

    const table = await ls([], { COLUMNS: "60" });
    const lines = table.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(table).toContain(orphan.id);
    expect(table).not.toContain("\x1b[");
  });

  test("an entry recorded in another pid namespace is unknown, whatever its pids name here; one recorded in ours is judged live", async () => {
    sb = makeSandbox();
    const live = await startSupervised(sb, []);
    const gone = await startSupervised(sb, []);
    const ours = await startSupervised(sb, []);
    for (const x of [gone, ours]) {
      x.run.proc.kill("SIGKILL");
      await x.run.proc.exited;
      process.kill(x.pid, "SIGKILL");
      await waitFor(() => !isAlive(x.pid), 5_000, "the command to die");
    }
    recordElsewhere(live.id);
    recordElsewhere(gone.id);
    const entries = JSON.parse(await ls(["--json"])) as Array<{ id: string; state: string; exitStatus: number | null }>;
    const byId = new Map(entries.map((e) => [e.id, e]));
    // Its wrapper and command are alive here, but nothing here can say they are the ones recorded.
    expect(byId.get(live.id)).toMatchObject({ state: "unknown", exitStatus: null });
    // Nothing of it is visible here: never lost (its own wrapper records the end, over there).
    expect(byId.get(gone.id)).toMatchObject({ state: "unknown", exitStatus: null });
    expect(byId.get(ours.id)).toMatchObject({ state: "lost" });
    const table = await ls([], { COLUMNS: "200" });
    expect(table.split("\n").find((line) => line.startsWith(gone.id))).toMatch(/ unknown /);
  });

  test("a ledger of the previous schema (v4) with rows: upgraded in place, exitStatus derived for its ended rows", async () => {
    sb = makeSandbox();
    mkdirSync(sb.home, { mode: 0o700 });
    writeLedgerAtV4(join(sb.home, "ledger.db"));
    const entries = parseJson(EntryListSchema, await ls(["--all", "--json"]));
    expect(entries.map((e) => [e.id, e.state, e.exitStatus])).toEqual([
      ["deadline04", "killed", 124],
      ["exited0003", "exited", 3],
    ]);
    await runCli(sb, ["run", "--", "sh", "-c", "exit 9"]);
    const after = parseJson(EntryListSchema, await ls(["--all", "--json"]));
    expect(after.map((e) => e.exitStatus)).toEqual([124, 3, 9]);
  });

  test("an extra argument: exit 2, one line", async () => {
    sb = makeSandbox();
    const extra = await runCli(sb, ["ls", "abc"]);
    expect(extra).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: unexpected argument 'abc'\n" });
  });
});
