// `supervise gc`: finished entries and their output go, running ones never do.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { GcSchema, parseJson } from "../helpers/contract.ts";
import { lsAll, rawRows, startSupervised, endedAgo } from "../helpers/ledger.ts";
import { BUN, CLI, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

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
    // Each captured entry: its log and when each part arrived.
    expect(outputs()).toHaveLength(8);

    // A dry run names what the real one then removes, and removes and records nothing.
    const ledgerBefore = JSON.stringify(rawRows(sb));
    const dry = await runCli(sb, ["gc", "--older-than", "1h", "--dry-run"]);
    expect(dry).toEqual({ exitCode: 0, stderr: "", stdout: `dry run: would remove 1 finished entry (1 found lost first): ${finished[0]}\n` });
    expect(JSON.parse((await runCli(sb, ["gc", "--older-than", "1h", "--dry-run", "--json"])).stdout)).toEqual({ schemaVersion: 1, markedLost: [lost.id], removed: [finished[0]!], strayOutputs: 0, dryRun: true });
    expect(JSON.stringify(rawRows(sb))).toBe(ledgerBefore);
    expect(outputs()).toHaveLength(8);

    const first = await runCli(sb, ["gc", "--older-than", "1h", "--json"]);
    expect(first.exitCode).toBe(0);
    expect(parseJson(GcSchema, first.stdout)).toEqual({ schemaVersion: 1, markedLost: [lost.id], removed: [finished[0]!], strayOutputs: 0 });
    expect(outputs().filter((name) => name.startsWith(finished[0]!))).toEqual([]);

    const second = await runCli(sb, ["gc"]);
    expect(second).toEqual({ exitCode: 0, stderr: "", stdout: "removed 3 finished entries\n" });
    const left = rawRows(sb).map((row) => row.id).sort();
    expect(left).toEqual([running.id, orphan.id].sort());
    expect(outputs()).toEqual([`${running.id}.log`, `${running.id}.times`]);
    expect(isAlive(running.pid) && isAlive(orphan.pid)).toBe(true);
    expect((await runCli(sb, ["gc"])).stdout).toBe("removed 0 finished entries\n");
  });

  test("a finished row stays while a process carries its cookie (what --keep-orphaned kept, an escape); once they are gone, it goes", async () => {
    sb = makeSandbox();
    const leftover = async (keep: boolean) => {
      const pidFile = join(sb.dir, `left-${keep}.pid`);
      const r = await runCli(sb, ["run", ...(keep ? ["--keep-orphaned"] : []), "-n", keep ? "kept" : "escape", "--", "sh", "-c", `setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > "${pidFile}"; exit 0`]);
      expect(r.exitCode).toBe(0);
      const pid = Number(readFileSync(pidFile, "utf8"));
      sb.track(pid);
      return pid;
    };
    const kept = await leftover(true);
    await runCli(sb, ["run", "-n", "plain", "--", "true"]);
    const entries = await lsAll(sb);
    const id = (name: string) => entries.find((e) => e.name === name)!.id;
    // What an ordinary entry left at its exit is ended by its wrapper; one that escaped that is started by hand here.
    const escape = Bun.spawn(["setsid", "sleep", "1000"], { env: { ...sb.env, SUPERVISE_ID: id("plain") }, stdio: ["ignore", "ignore", "ignore"] });
    sb.track(escape.pid);
    await waitFor(() => readFileSync(`/proc/${escape.pid}/cmdline`, "utf8").startsWith("sleep"), 5_000, "the escape to exec");
    expect(entries.every((e) => e.endedAt !== null)).toBe(true);

    const first = parseJson(GcSchema, (await runCli(sb, ["gc", "--json"])).stdout);
    expect(first.removed).toEqual([]);
    expect(rawRows(sb).map((row) => row.id).sort()).toEqual([id("kept"), id("plain")].sort());
    expect(isAlive(kept) && isAlive(escape.pid)).toBe(true);

    process.kill(kept, "SIGKILL");
    escape.kill("SIGKILL");
    await escape.exited;
    await waitFor(() => !isAlive(kept), 5_000, "the kept leftover to die");
    const second = parseJson(GcSchema, (await runCli(sb, ["gc", "--json"])).stdout);
    expect(second.removed.sort()).toEqual([id("kept"), id("plain")].sort());
    expect(rawRows(sb)).toEqual([]);
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

  test("a finished row recorded in another pid namespace of this boot stays: what carries its cookie may live where gc cannot see", async () => {
    sb = makeSandbox();
    expect((await runCli(sb, ["run", "-n", "there", "--", "true"])).exitCode).toBe(0);
    const { Database } = await import("bun:sqlite");
    const db = new Database(join(sb.home, "ledger.db"));
    db.run("UPDATE entries SET pid_namespace = 'pid:[1]'");
    db.close();
    expect(parseJson(GcSchema, (await runCli(sb, ["gc", "--json"])).stdout).removed).toEqual([]);
    expect(rawRows(sb)).toHaveLength(1);
  });

  /** `supervise ARGS` on a pseudo-terminal (script(1)); `answer` is typed once the question is on screen. */
  async function atTerminal(args: string[], answer: string | null): Promise<string> {
    const command = [BUN, CLI, ...args].map((word) => `'${word}'`).join(" ");
    const proc = Bun.spawn(["script", "-qec", command, "/dev/null"], { env: sb.env, cwd: sb.dir, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    const reader = proc.stdout.getReader();
    let screen = "";
    const deadline = Date.now() + 10_000;
    while (answer !== null && !screen.includes("[y/N] ")) {
      if (Date.now() > deadline) throw new Error(`no question; the screen had ${JSON.stringify(screen)}`);
      const { value, done } = await reader.read();
      if (done) break;
      screen += new TextDecoder().decode(value);
    }
    if (answer !== null) proc.stdin.write(answer);
    proc.stdin.end();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) screen += new TextDecoder().decode(chunk.value);
    expect(await proc.exited).toBe(0);
    return screen.replaceAll("\r\n", "\n");
  }

  test.skipIf(spawnSync("script", ["--version"]).status !== 0)("a bare gc at a terminal names what it would remove and removes it only on a yes; --yes, --older-than and a pipe never ask", async () => {
    sb = makeSandbox();
    for (const name of ["one", "two"]) await runCli(sb, ["run", "-n", name, "--", "true"]);
    const ids = rawRows(sb).map((row) => row.id).sort();
    // The two in either order (they may end in the same millisecond), then the question.
    const asked = (screen: string) => {
      const [named, ...rest] = screen.split("\n");
      const prefix = "would remove 2 finished entries and their output: ";
      expect(named!.startsWith(prefix) && named!.slice(prefix.length).split(" ").sort().join(" ")).toBe(ids.join(" "));
      return rest.join("\n");
    };
    for (const answer of ["n\n", "\n", "whatever\n"]) {
      expect(asked(await atTerminal(["gc"], answer))).toBe(`remove them? [y/N] ${answer}nothing removed\n`);
      expect(rawRows(sb)).toHaveLength(2);
    }
    expect(asked(await atTerminal(["gc"], "y\n"))).toBe("remove them? [y/N] y\nremoved 2 finished entries\n");
    expect(rawRows(sb)).toEqual([]);

    await runCli(sb, ["run", "--", "true"]);
    expect(await atTerminal(["gc", "--yes"], null)).toBe("removed 1 finished entry\n");
    await runCli(sb, ["run", "--", "true"]);
    expect(await atTerminal(["gc", "--older-than", "1ms"], null)).toBe("removed 1 finished entry\n");
    // Nothing to remove: no question.
    expect(await atTerminal(["gc"], null)).toBe("removed 0 finished entries\n");
    // Stray output files alone are asked about too, and named.
    const old = new Date(Date.now() - 2 * 86_400_000);
    mkdirSync(join(sb.home, "output"), { recursive: true });
    for (const name of ["strayaaaaa.log", "strayaaaaa.times"]) {
      writeFileSync(join(sb.home, "output", name), "x");
      utimesSync(join(sb.home, "output", name), old, old);
    }
    expect(await atTerminal(["gc"], "n\n")).toBe("would remove 0 finished entries, and 2 stray output files (of entries no ledger row names)\nremove them? [y/N] n\nnothing removed\n");
    expect(await atTerminal(["gc"], "y\n")).toBe("would remove 0 finished entries, and 2 stray output files (of entries no ledger row names)\nremove them? [y/N] y\nremoved 0 finished entries, 2 stray output files\n");
    // Not a terminal (the other tests here): no question either.
    await runCli(sb, ["run", "--", "true"]);
    expect(await runCli(sb, ["gc"])).toEqual({ exitCode: 0, stdout: "removed 1 finished entry\n", stderr: "" });
  });
});
