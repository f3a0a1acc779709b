// What a running command is doing, as its wrapper judges it and `ls --json` shows it (issue
// 23): real commands under `supervise run`, with run.stallAfter at 1 s.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { EntryListSchema, parseJson } from "../helpers/contract.ts";
import { BUN, CLI, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** `supervise run -n NAME -- CMD` in the background; stdin a pipe nobody writes, or /dev/null. */
function runInBackground(name: string, command: string[], stdin: "pipe" | "ignore" = "ignore", stderr: "pipe" | "ignore" = "pipe", args: string[] = []) {
  const proc = Bun.spawn([BUN, CLI, "run", ...args, "-n", name, "--", ...command], { env: sb.env, cwd: sb.dir, stdin, stdout: "ignore", stderr });
  sb.track(proc.pid);
  return proc;
}

async function activityOf(name: string) {
  const entries = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--json"])).stdout);
  return entries.find((e) => e.name === name) ?? null;
}

async function reaches(name: string, state: string) {
  await waitFor(async () => (await activityOf(name))?.activity === state, 15_000, `${name} ${state}`);
  return (await activityOf(name))!;
}

describe("run: the command's activity", () => {
  test("no CPU and no output: stalled after run.stallAfter, dated from its last progress", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    const before = Date.now();
    runInBackground("idle", ["sleep", "100"]);
    const stalled = await reaches("idle", "stalled");
    // Dated from its last progress (its start), and said once that is a limit old.
    expect(Date.parse(stalled.activitySince!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(stalled.activityJudgedAt!) - Date.parse(stalled.activitySince!)).toBeGreaterThanOrEqual(1000);
    expect(stalled.ports).toEqual([]);
    expect(stalled.rssBytes).toBeGreaterThan(0);
  });

  test("while its state holds, its changing facts are written again: ls is never a stall limit behind", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    runInBackground("ticker", ["sh", "-c", "while :; do echo x; sleep 0.1; done"], "ignore", "pipe", ["--capture"]);
    const first = await reaches("ticker", "busy");
    await waitFor(async () => Date.parse((await activityOf("ticker"))!.activityJudgedAt!) >= Date.parse(first.activityJudgedAt!) + 1000, 10_000, "a later judgement");
    const later = (await activityOf("ticker"))!;
    expect([later.activity, later.activitySince]).toEqual(["busy", first.activitySince]);
    expect(Date.parse(later.lastOutputAt!)).toBeGreaterThan(Date.parse(first.lastOutputAt!));
  });

  test("a listening server that idles is serving, with its port, never stalled", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    const portFile = join(sb.dir, "port");
    runInBackground("server", ["python3", "-c", `import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(${JSON.stringify(portFile)}, "w").write(str(s.getsockname()[1]))\ntime.sleep(100)`]);
    const serving = await reaches("server", "serving");
    expect(serving.ports).toEqual([Number(readFileSync(portFile, "utf8"))]);
    // Well past the stall limit, still serving.
    await waitFor(async () => Date.now() - Date.parse((await activityOf("server"))!.activitySince!) > 2500, 10_000, "time past the limit");
    expect((await activityOf("server"))!.activity).toBe("serving");
  });

  test("a read of a stdin pipe nobody writes is waiting-input; the same command on /dev/null is not", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    runInBackground("prompt", ["sh", "-c", "printf 'Overwrite? (y/N) '; read -r x; sleep 100"], "pipe");
    runInBackground("eof", ["sh", "-c", "read -r x; exec sleep 100"], "ignore");
    await reaches("prompt", "waiting-input");
    expect((await reaches("eof", "stalled")).activity).toBe("stalled");
  });

  test("a core used with no output: busy, then spinning past the limit", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    // stdout and stderr on /dev/null: "no output" can be seen.
    runInBackground("spin", ["sh", "-c", "while :; do :; done"], "ignore", "ignore");
    const spinning = await reaches("spin", "spinning");
    // cpuPercent is time on a core only: on a loaded machine a spinner also waits runnable for one, which spinning counts.
    expect(spinning.cpuPercent).toBeGreaterThan(0);
    expect(spinning.activitySince).not.toBeNull();
  });

  test("an ended entry carries no activity; a finished command's row keeps none in ls", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    expect((await runCli(sb, ["run", "-n", "done", "--", "sh", "-c", "sleep 0.5"])).exitCode).toBe(0);
    const entries = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--all", "--json"])).stdout);
    expect(entries.find((e) => e.name === "done")).toMatchObject({ activity: null, activitySince: null, cpuPercent: null, rssBytes: null, ports: [], lastOutputAt: null, lastLine: null });
  });

  test("--idle-timeout ends what makes no progress (stalled, waiting for input): exit 124, reason stalled; never a serving or a spinning one", async () => {
    sb = makeSandbox();
    const portFile = join(sb.dir, "port");
    const server = Bun.spawn([BUN, CLI, "run", "--idle-timeout", "1s", "-n", "server", "--", "python3", "-c", `import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(${JSON.stringify(portFile)}, "w").write(str(s.getsockname()[1]))\ntime.sleep(100)`], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    sb.track(server.pid);
    const spinner = Bun.spawn([BUN, CLI, "run", "--idle-timeout", "1s", "-n", "spin", "--", "sh", "-c", "while :; do :; done"], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    sb.track(spinner.pid);
    const started = Date.now();
    const idle = await runCli(sb, ["run", "--idle-timeout", "1s", "-n", "idle", "--", "sleep", "100"]);
    expect(idle).toEqual({ exitCode: 124, stdout: "", stderr: "" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const prompt = Bun.spawn([BUN, CLI, "run", "--idle-timeout", "1s", "-n", "prompt", "--", "sh", "-c", "read -r x"], { env: sb.env, cwd: sb.dir, stdin: "pipe", stdout: "ignore", stderr: "pipe" });
    sb.track(prompt.pid);
    expect(await prompt.exited).toBe(124);
    const entries = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--all", "--json"])).stdout);
    const byName = (name: string) => entries.find((e) => e.name === name)!;
    for (const name of ["idle", "prompt"]) expect(byName(name)).toMatchObject({ state: "killed", reason: "stalled", signal: "TERM", exitStatus: 124 });
    // The server and the spinner ran well past the limit and still run.
    for (const name of ["server", "spin"]) expect(byName(name)).toMatchObject({ state: "running", endedAt: null });
    expect(byName("server").activity).toBe("serving");
    expect(["busy", "spinning"]).toContain(byName("spin").activity!);
  });

  test("a project's .supervise.json cannot give an idle timeout (it would widen what is ended); the user's file can", async () => {
    sb = makeSandbox({ run: { idleTimeout: "1s" } });
    const project = join(sb.dir, "proj");
    require("node:fs").mkdirSync(project);
    require("node:fs").writeFileSync(join(project, ".supervise.json"), JSON.stringify({ run: { idleTimeout: "1ms" } }));
    const config = JSON.parse((await runCli(sb, ["config"], { cwd: project })).stdout);
    expect(config.run.idleTimeout).toBe("1s");
    const untrusted = makeSandbox();
    try {
      require("node:fs").writeFileSync(join(untrusted.dir, ".supervise.json"), JSON.stringify({ run: { idleTimeout: "1s" } }));
      expect(JSON.parse((await runCli(untrusted, ["config"])).stdout).run.idleTimeout).toBe("none");
    } finally {
      await untrusted.cleanup();
    }
  });

  test("ls and show say it in words: DOING \"stalled 2s\", \"serving :PORT\"; show adds when output last changed", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    const portFile = join(sb.dir, "port");
    runInBackground("idle", ["sleep", "100"]);
    runInBackground("server", ["python3", "-c", `import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(${JSON.stringify(portFile)}, "w").write(str(s.getsockname()[1]))\ntime.sleep(100)`]);
    await reaches("idle", "stalled");
    await reaches("server", "serving");
    const port = readFileSync(portFile, "utf8");
    const table = await runCli(sb, ["ls"], { env: { COLUMNS: "200" } });
    expect(table.exitCode).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID +PID +STATE +DOING +AGE /);
    expect(rows.find((row) => row.includes("idle: sleep"))).toMatch(/ running +stalled \d+(ms|s) /);
    expect(rows.find((row) => row.includes("server: python3"))).toContain(` running  serving :${port} `);
    // Narrow: SESSION and DEADLINE go before DOING does.
    const narrow = (await runCli(sb, ["ls"], { env: { COLUMNS: "72" } })).stdout.split("\n")[0]!;
    expect(narrow).toContain("DOING");
    expect(narrow).not.toContain("SESSION");
    const detail = await runCli(sb, ["show", "idle"]);
    expect(detail.stdout).toMatch(/\ndoing: +stalled \d+(ms|s) \(judged \d+(ms|s) ago\)\n/);
    expect(detail.stdout).toMatch(/\nlast output: +not seen \(a pipe or terminal\)\n/);
  });

  test("--idle-timeout waits while the user has the command stopped (SIGSTOP, Ctrl-Z), and counts afresh once it is continued", async () => {
    sb = makeSandbox();
    const run = Bun.spawn([BUN, CLI, "run", "--idle-timeout", "1s", "-n", "paused", "--", "sleep", "100"], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
    sb.track(run.pid);
    let pid = 0;
    await waitFor(async () => {
      pid = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--json"])).stdout)[0]?.pid ?? 0;
      return pid > 0;
    }, 10_000, "the command's pid");
    process.kill(pid, "SIGSTOP");
    const stoppedAt = Date.now();
    // Three idle timeouts with the command stopped: the wrapper must still be waiting.
    await waitFor(() => Date.now() - stoppedAt > 3000, 5000, "three seconds stopped");
    expect(run.exitCode).toBeNull();
    process.kill(pid, "SIGCONT");
    const continuedAt = Date.now();
    expect(await run.exited).toBe(124);
    expect(Date.now() - continuedAt).toBeGreaterThanOrEqual(1000);
  });

  test("what the wrapper adopts, stderr's output and input read count (review of issue 23): a daemonized server serves, a stderr writer and a fed reader are busy, a spinner on a pipe is not spinning; --idle-timeout ends none of them", async () => {
    sb = makeSandbox({ run: { stallAfter: "1s" } });
    const portFile = join(sb.dir, "port");
    const pidFile = join(sb.dir, "server.pid");
    const server = `import os, socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(${JSON.stringify(pidFile)}, "w").write(str(os.getpid()))\nopen(${JSON.stringify(portFile)}, "w").write(str(s.getsockname()[1]))\ntime.sleep(100)`;
    const idle = ["--idle-timeout", "2s"];
    runInBackground("daemonized", ["bash", "-c", `setsid -f python3 -c '${server}' > /dev/null 2>&1; exec sleep 100`], "ignore", "ignore", idle);
    const errLog = join(sb.dir, "err.log");
    runInBackground("stderr", ["sh", "-c", `exec 2> ${errLog}; while :; do echo progress >&2; sleep 0.3; done`], "ignore", "ignore", idle);
    const fed = runInBackground("fed", ["cat"], "pipe", "ignore", idle);
    const feeder = setInterval(() => fed.stdin!.write("line\n"), 300);
    runInBackground("piped-spin", ["sh", "-c", "while :; do :; done"], "ignore", "pipe", ["--idle-timeout", "1s"]);
    try {
      await waitFor(() => require("node:fs").existsSync(pidFile), 10_000, "server up");
      sb.track(Number(readFileSync(pidFile, "utf8")));
      const daemonized = await reaches("daemonized", "serving");
      expect(daemonized.ports).toEqual([Number(readFileSync(portFile, "utf8"))]);
      // Past twice the idle limit every one still runs, none judged idle.
      await waitFor(async () => Date.now() - Date.parse((await activityOf("fed"))!.startedAt) > 4500, 15_000, "past the limit");
      const entries = parseJson(EntryListSchema, (await runCli(sb, ["ls", "--all", "--json"])).stdout);
      const byName = (name: string) => entries.find((e) => e.name === name)!;
      expect(["daemonized", "stderr", "fed", "piped-spin"].map((name) => [name, byName(name).state])).toEqual([["daemonized", "running"], ["stderr", "running"], ["fed", "running"], ["piped-spin", "running"]]);
      expect(byName("daemonized").activity).toBe("serving");
      // Between two lines a sample can see none (quiet); never a told state, and --idle-timeout saw their progress.
      expect(["stderr", "fed", "piped-spin"].map((name) => [name, ["busy", "quiet"].includes(byName(name).activity!)])).toEqual([["stderr", true], ["fed", true], ["piped-spin", true]]);
    } finally {
      clearInterval(feeder);
    }
  });
});
