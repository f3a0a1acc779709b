// `supervise show`: every field, the live process tree (group members and cookie carriers),
// id prefixes, and the errors for unknown and ambiguous ids.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { DetailSchema, parseJson } from "../helpers/contract.ts";
import { startSupervised } from "../helpers/ledger.ts";
import { makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** Finished rows with chosen ids, for prefix tests. */
function insertFinished(ids: string[]): void {
  const db = new Database(join(sb.home, "ledger.db"));
  const insert = db.query(
    `INSERT INTO entries (id, boot_id, wrapper_pid, command, cwd, started_at, first_signal, state, ended_at, exit_code)
     VALUES (?, 'b', 99999, '["true"]', '/', 1, 'TERM', 'exited', 2, 0)`,
  );
  for (const id of ids) insert.run(id);
  db.close();
}

describe("supervise show", () => {
  test("SUPERVISE_KEEP=1 in the wrapper's environment keeps the entry (--keep-orphaned), and without it not", async () => {
    sb = makeSandbox();
    for (const [keep, expected] of [["1", true], ["0", false]] as const) {
      const r = await runCli(sb, ["run", "--name", `keep-${keep}`, "--", "true"], { env: { SUPERVISE_KEEP: keep } });
      expect(r.exitCode).toBe(0);
      const ls = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout) as Array<{ id: string; name: string }>;
      const id = ls.find((e) => e.name === `keep-${keep}`)!.id;
      expect(parseJson(DetailSchema, (await runCli(sb, ["show", id, "--json"])).stdout).keepOrphaned).toBe(expected);
    }
  });

  test("a running entry: its fields and its process tree, by a unique prefix", async () => {
    sb = makeSandbox();
    // A shell with a background child in the group, and a child that left it with setsid.
    const script = "sleep 100 & setsid sleep 101 & echo ready; wait";
    const { run, id, pid } = await startSupervised(sb, ["-n", "tree", "--session", "s-1", "-d", "10m", "-g", "2s"], script);
    expect(await run.nextLine()).toBe("ready");

    const expected = [`sh -c echo "$SUPERVISE_ID $$"; ${script}`, "sleep 100", "sleep 101"].sort();
    let detail!: ReturnType<typeof DetailSchema.parse>;
    // The background children exist once "ready" is printed, but may not have exec'd yet.
    await waitFor(async () => {
      const r = await runCli(sb, ["show", id.slice(0, 5).toUpperCase(), "--json"]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      detail = parseJson(DetailSchema, r.stdout);
      return JSON.stringify(detail.processes.map((p) => p.command).sort()) === JSON.stringify(expected);
    }, 5_000, "both children to exec");
    expect(detail).toMatchObject({ id, pid, name: "tree", session: "s-1", state: "running", graceMs: 2000, firstSignal: "TERM", keepOrphaned: false, output: null });
    const procs = detail.processes;
    expect(procs[0]).toMatchObject({ pid, depth: 0, via: "group" });
    expect(procs.find((p) => p.command === "sleep 100")).toMatchObject({ ppid: pid, depth: 1, via: "group", pgid: pid });
    expect(procs.find((p) => p.command === "sleep 101")).toMatchObject({ ppid: pid, depth: 1, via: "cookie" });
    for (const p of procs) {
      sb.track(p.pid);
      expect(p.rssBytes).toBeGreaterThan(0);
    }

    const text = await runCli(sb, ["show", id]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`id:            ${id}\n`);
    expect(text.stdout).toContain("state:         running\n");
    expect(text.stdout).toContain("grace:         2s\n");
    // Quoted so it can be copied back into a shell.
    expect(text.stdout).toContain(`command:       sh -c 'echo "$SUPERVISE_ID $$"; ${script}'\n`);
    // PID is right-aligned: no leading space when every pid is three digits or fewer (a fresh machine).
    expect(text.stdout).toMatch(/processes:\n *PID +STAT +AGE +CPU +RSS +VIA +COMMAND\n/);
    expect(text.stdout).toMatch(/cookie\s+ sleep 101\n/);
  });

  test("a finished entry: its end, no processes", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "-d", "200ms", "--", "sleep", "5"]);
    const [{ id }] = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout);
    const detail = parseJson(DetailSchema, (await runCli(sb, ["show", id, "--json"])).stdout);
    expect(detail).toMatchObject({ state: "killed", reason: "deadline", signal: "TERM", processes: [] });
    expect(detail.durationMs).toBeGreaterThanOrEqual(200);
    const text = (await runCli(sb, ["show", id])).stdout;
    expect(text).toContain("state:         killed (deadline)\n");
    expect(text).toContain("processes: none (ended)\n");
  });

  test("an entry recorded in another pid namespace: unknown, and no processes (its pids name others here)", async () => {
    sb = makeSandbox();
    const { id } = await startSupervised(sb, []);
    const db = new Database(join(sb.home, "ledger.db"));
    db.query("UPDATE entries SET pid_namespace = 'pid:[1]' WHERE id = ?").run(id);
    db.close();
    const r = await runCli(sb, ["show", id, "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toMatchObject({ id, state: "unknown", exitStatus: null, processes: [] });
    expect((await runCli(sb, ["show", id])).stdout).toContain("state:         unknown\n");
  });

  test("unknown id, ambiguous prefix, malformed id, missing id: exit 2, one line", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    insertFinished(["aaaa000001", "aaaa000002", "bbbb000001"]);
    const cases: Array<[string[], string]> = [
      [["show", "zzzz"], "supervise: no entry 'zzzz' (an id or its prefix, a --name, or a live pid, from supervise ls)\n"],
      [["show", "aaaa"], "supervise: ambiguous id 'aaaa': matches aaaa000001, aaaa000002\n"],
      [["show", "a%"], "supervise: no entry 'a%' (an id or its prefix, a --name, or a live pid, from supervise ls)\n"],
      [["show"], "supervise: missing entry id (usage: supervise show ID [--json])\n"],
      [["show", "bbbb", "cccc"], "supervise: unexpected argument 'cccc'\n"],
    ];
    for (const [args, stderr] of cases) expect(await runCli(sb, args)).toEqual({ exitCode: 2, stdout: "", stderr });
    expect(JSON.parse((await runCli(sb, ["show", "bbbb", "--json"])).stdout).id).toBe("bbbb000001");
  });
});
