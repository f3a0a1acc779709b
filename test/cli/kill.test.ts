// `supervise kill`: the wrapper's escalation and identity rules, reason `manual`, all
// targets at once, per-entry report, exit 0 only when everything asked for is dead.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { KillResultSchema, parseJson } from "../helpers/contract.ts";
import { lsAll, startSupervised } from "../helpers/ledger.ts";
import { CLI, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const byId = async () => new Map((await lsAll(sb)).map((e) => [e.id, e]));

describe("supervise kill", () => {
  test("an ended --keep-orphaned entry: kill ID ends what it left running; its recorded end stays", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--keep-orphaned", "--", "sh", "-c", "setsid sleep 100 </dev/null >/dev/null 2>&1 & echo $!"]);
    expect(r.exitCode).toBe(0);
    const left = Number(r.stdout.trim());
    sb.track(left);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 0 });
    expect(isAlive(left)).toBe(true);
    const killed = await runCli(sb, ["kill", entry.id, "--json"]);
    expect(killed.exitCode).toBe(0);
    expect(parseJson(KillResultSchema, killed.stdout).map((x) => [x.id, x.outcome, x.signal])).toEqual([[entry.id, "terminated", "TERM"]]);
    await waitFor(() => !isAlive(left), 5_000, "the leftover to end");
    expect((await lsAll(sb))[0]).toMatchObject({ id: entry.id, state: "exited", exitCode: 0 });
    // Nothing left: a second kill reports it gone.
    expect(parseJson(KillResultSchema, (await runCli(sb, ["kill", entry.id, "--json"])).stdout)[0]).toMatchObject({ outcome: "gone" });
  });

  test("an ended entry that left a kept process (protected by reap.protect, so its own exit left it): kill ID still ends it", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "sh", "-c", "setsid bash -c 'exec -a pytest sleep 100' </dev/null >/dev/null 2>&1 & echo $!"]);
    expect(r.exitCode).toBe(0);
    const left = Number(r.stdout.trim());
    sb.track(left);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 0 });
    expect(isAlive(left)).toBe(true);
    const killed = await runCli(sb, ["kill", entry.id, "--json"]);
    expect(parseJson(KillResultSchema, killed.stdout).map((x) => [x.outcome, x.signal])).toEqual([["terminated", "TERM"]]);
    await waitFor(() => !isAlive(left), 5_000, "the kept leftover to end");
    expect((await lsAll(sb))[0]).toMatchObject({ state: "exited", exitCode: 0 });
  });

  test("--grace 0 (never SIGKILL) on a TERM-ignoring command returns after the bounded wait: FAILED, exit 1, the command left alive", async () => {
    sb = makeSandbox();
    const stubborn = await startSupervised(sb, [], "trap '' TERM; echo trapped; while :; do sleep 0.05; done");
    expect(await stubborn.run.nextLine()).toBe("trapped");
    const r = await runCli(sb, ["kill", stubborn.id, "--grace", "0", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(1);
    expect(parseJson(KillResultSchema, r.stdout).map((x) => [x.id, x.outcome, x.signal])).toEqual([[stubborn.id, "failed", "TERM"]]);
    expect(isAlive(stubborn.pid)).toBe(true);
  });

  test("by id: TERM, and SIGKILL after --grace for one that ignores TERM; both in one grace period", async () => {
    sb = makeSandbox();
    const plain = await startSupervised(sb, []);
    const stubborn = await startSupervised(sb, [], "trap '' TERM; echo trapped; while :; do sleep 1; done");
    expect(await stubborn.run.nextLine()).toBe("trapped");

    const started = Date.now();
    const r = await runCli(sb, ["kill", plain.id, stubborn.id.slice(0, 6), "--grace", "300ms", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const results = parseJson(KillResultSchema, r.stdout);
    expect(results.map((x) => [x.id, x.outcome, x.signal])).toEqual([
      [plain.id, "terminated", "TERM"],
      [stubborn.id, "killed", "KILL"],
    ]);
    // One shared grace period, not one per entry (generous bound: this is not a benchmark).
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(isAlive(plain.pid) || isAlive(stubborn.pid)).toBe(false);

    // The wrappers saw their commands die and exit as a shell would report it.
    expect(await plain.run.proc.exited).toBe(143);
    expect(await stubborn.run.proc.exited).toBe(137);
    const entries = await byId();
    expect(entries.get(plain.id)).toMatchObject({ state: "killed", reason: "manual", signal: "TERM" });
    expect(entries.get(stubborn.id)).toMatchObject({ state: "killed", reason: "manual", signal: "KILL" });
  });

  test("kill(1)'s spelling: -9, -KILL, -SIGINT and -INT are --signal; a lower-case option is ours; after -- nothing is a signal", async () => {
    sb = makeSandbox();
    const cases: Array<[string[], string]> = [[["-9"], "KILL"], [["-KILL"], "KILL"], [["-SIGINT"], "INT"], [["-INT", "--grace", "1s"], "INT"]];
    for (const [spelling, sent] of cases) {
      const entry = await startSupervised(sb, []);
      const r = await runCli(sb, ["kill", ...spelling, entry.id, "--json"]);
      expect({ spelling, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ spelling, exitCode: 0, stderr: "" });
      expect(parseJson(KillResultSchema, r.stdout).map((x) => [x.outcome, x.signal])).toEqual([["terminated", sent]]);
      expect(isAlive(entry.pid)).toBe(false);
    }
    expect(await runCli(sb, ["kill", "-NOSUCH", "x"])).toEqual({ exitCode: 2, stdout: "", stderr: 'supervise: invalid signal for --signal: "NOSUCH" (examples: TERM, INT, KILL, 15)\n' });
    expect((await runCli(sb, ["kill", "--", "-9"])).stderr).toBe("supervise: no entry '-9' (an id or its prefix, a --name, or a live pid, from supervise ls)\n");
  });

  test("--session kills that session's entries only; --all the rest; an ended entry is reported, not signalled", async () => {
    sb = makeSandbox();
    const mine = await startSupervised(sb, ["--session", "s-1"]);
    const other = await startSupervised(sb, ["--session", "s-2"]);
    const r = await runCli(sb, ["kill", "--session", "s-1"]);
    // Aligned columns under a header, the command escaped as ls shows it.
    expect(r).toEqual({ exitCode: 0, stderr: "", stdout: `ID          RESULT      SIGNAL  COMMAND\n${mine.id}  terminated  TERM    sh -c echo "$SUPERVISE_ID $$"; exec sleep 100\n` });
    expect(isAlive(mine.pid)).toBe(false);
    expect(isAlive(other.pid)).toBe(true);

    const again = await runCli(sb, ["kill", mine.id]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout.split("\n")[1]).toStartWith(`${mine.id}  already ended  -  `);

    expect((await runCli(sb, ["kill", "--all"])).exitCode).toBe(0);
    await waitFor(() => !isAlive(other.pid), 5_000, "the other session's command to die");
    expect((await runCli(sb, ["kill", "--all"])).stdout).toBe("nothing to kill\n");
  });

  test("an orphaned entry (wrapper SIGKILLed): its command is ended and the end recorded by kill", async () => {
    sb = makeSandbox();
    const orphan = await startSupervised(sb, [], "sleep 100 & echo $!; wait");
    const child = Number(await orphan.run.nextLine());
    sb.track(child);
    orphan.run.proc.kill("SIGKILL");
    await orphan.run.proc.exited;
    const r = await runCli(sb, ["kill", orphan.id]);
    expect(r.exitCode).toBe(0);
    expect(isAlive(orphan.pid) || isAlive(child)).toBe(false);
    expect((await byId()).get(orphan.id)).toMatchObject({ state: "killed", reason: "manual", signal: "TERM" });
  });

  test("wrapper and command already dead: nothing is signalled, the entry is recorded lost", async () => {
    sb = makeSandbox();
    const { run, id, pid } = await startSupervised(sb, []);
    run.proc.kill("SIGKILL");
    await run.proc.exited;
    process.kill(pid, "SIGKILL");
    await waitFor(() => !isAlive(pid), 5_000, "the command to die");
    const r = await runCli(sb, ["kill", id, "--json"]);
    expect(r.exitCode).toBe(0);
    expect(parseJson(KillResultSchema, r.stdout)[0]).toMatchObject({ outcome: "gone", signal: null });
    expect((await byId()).get(id)).toMatchObject({ state: "lost", reason: null });
  });

  test("the text report shows the command line escaped, as ls does: no terminal escape or newline reaches the terminal raw", async () => {
    sb = makeSandbox();
    const hostile = await startSupervised(sb, [], "exec sleep 100 # \x1b[31mred\x1b]0;title\x07\nsecond line");
    const r = await runCli(sb, ["kill", hostile.id]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stdout.split("\n")).toEqual([expect.stringMatching(/^ID /), expect.stringMatching(/ # \\x1b\[31mred\\x1b\]0;title\\x07\\nsecond line$/), ""]);
    const listed = (await runCli(sb, ["ls", "--all"], { env: { COLUMNS: "500" } })).stdout;
    expect(listed).toContain("# \\x1b[31mred\\x1b]0;title\\x07\\nsecond line");
  });

  test("--json: the command line arrives whole, its C0 control bytes escaped by JSON: none reaches the terminal raw", async () => {
    sb = makeSandbox();
    const script = "exec sleep 100 # \x1b[31mred\x1b]0;title\x07\nsecond line";
    const hostile = await startSupervised(sb, [], script);
    const r = await runCli(sb, ["kill", "--json", hostile.id]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
    expect(r.stdout).toContain("# \\u001b[31mred\\u001b]0;title\\u0007\\nsecond line");
    expect(parseJson(KillResultSchema, r.stdout)).toEqual([
      { id: hostile.id, outcome: "terminated", signal: "TERM", durationMs: expect.any(Number), command: ["sh", "-c", `echo "$SUPERVISE_ID $$"; ${script}`] },
    ]);
  });

  test("bad input changes nothing: unknown id among good ones, no selector, two selectors, bad signal or grace", async () => {
    sb = makeSandbox();
    const live = await startSupervised(sb, []);
    const cases: Array<[string[], string]> = [
      [["kill", live.id, "nosuch"], "supervise: no entry 'nosuch' (an id or its prefix, a --name, or a live pid, from supervise ls)\n"],
      [["kill"], "supervise: name what to kill: entry ids, --session ID, --all or --port N (exactly one of them)\n"],
      [["kill", live.id, "--all"], "supervise: name what to kill: entry ids, --session ID, --all or --port N (exactly one of them)\n"],
      [["kill", live.id, "--signal", "NOPE"], 'supervise: invalid signal for --signal: "NOPE"'],
      [["kill", live.id, "--grace", "5x"], "supervise: invalid duration for --grace"],
      [["kill", "--port", "3000", "--all"], "supervise: name what to kill: entry ids, --session ID, --all or --port N (exactly one of them)\n"],
      [["kill", "--port", "70000"], "supervise: --port: not a port (1-65535): '70000'\n"],
      [["kill", "--port", "0"], "supervise: --port: not a port (1-65535): '0'\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runCli(sb, args);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toStartWith(stderr);
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
    expect(isAlive(live.pid)).toBe(true);
    expect((await byId()).get(live.id)).toMatchObject({ state: "running" });
  });

  test.skipIf(Bun.spawnSync(["script", "--version"]).exitCode !== 0)("on a terminal, one live line says what the stop waits for, and is cleared at the end; never in a pipe", async () => {
    sb = makeSandbox();
    const stubborn = await startSupervised(sb, [], "trap '' TERM; echo trapped; while :; do sleep 0.05; done");
    expect(await stubborn.run.nextLine()).toBe("trapped");
    const r = Bun.spawnSync(["script", "-qec", `${process.execPath} ${CLI} kill --grace 1500ms ${stubborn.id} >/dev/null`, "/dev/null"], { env: sb.env, stdout: "pipe", stderr: "pipe" });
    const tty = r.stdout.toString();
    expect(tty).toContain("\r\x1b[Kstopping 1 entry: TERM sent, SIGKILL in 2s");
    expect(tty).toEndWith("\r\x1b[K");
    expect(isAlive(stubborn.pid)).toBe(false);
    // Not a terminal: no status line at all.
    const piped = await startSupervised(sb, []);
    expect((await runCli(sb, ["kill", piped.id])).stderr).toBe("");
  });
});
