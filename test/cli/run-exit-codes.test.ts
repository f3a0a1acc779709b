import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

describe("exit status", () => {
  test("0: the command's own success, recorded as exited", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "sh", "-c", "echo out; echo err >&2"]);
    expect(r).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 0 });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 0, signal: null, reason: null, command: ["sh", "-c", "echo out; echo err >&2"] });
  });

  test("1 and other codes pass through", async () => {
    sb = makeSandbox();
    expect((await runCli(sb, ["run", "--", "sh", "-c", "exit 1"])).exitCode).toBe(1);
    expect((await runCli(sb, ["run", "--", "sh", "-c", "exit 42"])).exitCode).toBe(42);
    const entries = await lsAll(sb);
    expect(entries.map((e) => e.exitCode)).toEqual([1, 42]);
  });

  test("124: deadline", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--deadline", "300ms", "--", "sleep", "30"]);
    expect(r).toEqual({ stdout: "", stderr: "", exitCode: 124 });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "deadline", signal: "TERM", exitCode: null });
  });

  test("--preserve-status: the command's status (143 for TERM) instead of 124", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--deadline", "200ms", "--preserve-status", "--", "sleep", "30"]);
    expect(r.exitCode).toBe(143);
  });

  test.each([
    [["run", "--deadline", "5x", "--", "true"], 'invalid duration for --deadline: "5x"'],
    [["run", "--grace", "-1", "--", "true"], 'invalid duration for --grace: "-1"'],
    [["run", "--signal", "NOPE", "--", "true"], 'invalid signal for --signal: "NOPE"'],
    [["run", "--deadline"], "option '--deadline' needs a value"],
    [["run", "--"], "missing command"],
    [["run"], "missing command"],
    [["--deadline", "1s"], "missing command"],
  ])("125: %p", async (args, message) => {
    sb = makeSandbox();
    const r = await runCli(sb, args);
    expect(r.exitCode).toBe(125);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("126: found but not executable, and a directory", async () => {
    sb = makeSandbox();
    const script = join(sb.dir, "script.sh");
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o644);
    mkdirSync(join(sb.dir, "adir"));
    for (const target of [script, join(sb.dir, "adir")]) {
      const r = await runCli(sb, ["run", "--", target]);
      expect(r.exitCode).toBe(126);
      expect(r.stderr).toBe(`supervise: cannot run ${target}: permission denied\n`);
    }
    const entries = await lsAll(sb);
    expect(entries.map((e) => [e.state, e.exitCode])).toEqual([
      ["exited", 126],
      ["exited", 126],
    ]);
  });

  test("127: not found", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "no-such-command-xyz"]);
    expect(r).toEqual({ stdout: "", stderr: "supervise: command not found: no-such-command-xyz\n", exitCode: 127 });
  });

  test("128+N: the command died of signal N", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "sh", "-c", "kill -USR2 $$"]);
    expect(r.exitCode).toBe(128 + 12);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: null, signal: "USR2" });
  });
});

describe("command forms", () => {
  test("prefix form with options, and `--` right after the script", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["-d", "5s", "echo", "a"])).toEqual({ stdout: "a\n", stderr: "", exitCode: 0 });
    // Bun drops this `--`; supervise recovers it, so `ls` here is the program, not `supervise ls`.
    const r = await runCli(sb, ["--", "ls", "-d", "/"]);
    expect(r).toEqual({ stdout: "/\n", stderr: "", exitCode: 0 });
  });

  test("options after the command belong to the command", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["run", "echo", "-d", "x"])).toEqual({ stdout: "-d x\n", stderr: "", exitCode: 0 });
  });

  test("the command sees SUPERVISE_ID, and runs in its own session and group", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "sh", "-c", 'echo "$SUPERVISE_ID"; ps -o pid=,pgid=,sid= -p $$']);
    const [id, ids] = r.stdout.trim().split("\n");
    const [pid, pgid, sid] = ids!.trim().split(/\s+/);
    expect(pgid).toBe(pid!);
    expect(sid).toBe(pid!);
    const [entry] = await lsAll(sb);
    expect(entry.id).toBe(id);
    expect(String(entry.pid)).toBe(pid!);
  });
});
