// The wrapper's leftover cleanup honours keep marks: what the command leaves at its exit is
// ended, except a reap.sessionKeep daemon (tmux) and what runs inside it, and a
// SUPERVISE_KEEP=1 process. No sweep runs here, so no PID namespace is needed; every
// process a test leaves is ended by pid afterwards, the tmux server included.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, readStatFields, startTicks, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox | undefined;
/** Processes a test left on purpose, by pid and start time: ended whatever the outcome. */
let left: Array<[number, number | null]> = [];
afterEach(async () => {
  for (const [pid, ticks] of left) if (ticks !== null && startTicks(pid) === ticks) process.kill(pid, "SIGKILL");
  left = [];
  await sb?.cleanup();
  sb = undefined;
});

const leave = (pid: number) => {
  left.push([pid, startTicks(pid)]);
  return pid;
};

function pidIn(name: string): number {
  const pid = Number(readFileSync(join(sb!.dir, name), "utf8").trim());
  expect(pid).toBeGreaterThan(1);
  return leave(pid);
}

/** A tmux client on the sandbox's socket: one line of its answer. */
async function tmux(sock: string, ...args: string[]): Promise<string> {
  const proc = Bun.spawn(["tmux", "-S", sock, ...args], { env: sb!.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([proc.stdout.text(), proc.exited]);
  expect(code).toBe(0);
  return out.trim();
}

const childrenOf = (pid: number) => readdirSync("/proc").filter((name) => /^[0-9]+$/.test(name)).map(Number).filter((p) => Number(readStatFields(p)?.[1]) === pid);

const hasTmux = Bun.which("tmux") !== null;

describe("the leftovers a command's exit leaves (real tmux, real CLI)", () => {
  test.skipIf(!hasTmux)("`supervise run -- tmux -S $D/sock new -d 'sleep 9'`: the tmux server and the shell inside it live on", async () => {
    sb = makeSandbox();
    const sock = join(sb.dir, "sock");
    const r = await runCli(sb, ["run", "--", "tmux", "-S", sock, "-f", "/dev/null", "new", "-d", "sleep 9"]);
    const server = leave(Number(await tmux(sock, "display", "-p", "#{pid}")));
    const pane = leave(Number(await tmux(sock, "list-panes", "-F", "#{pane_pid}")));
    for (const child of childrenOf(pane)) leave(child);
    expect(r.exitCode).toBe(0);
    expect(isAlive(server)).toBe(true);
    expect(isAlive(pane)).toBe(true);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", reason: null });
  });

  test.skipIf(!hasTmux)("an agent's wrapped background `tmux new -d` (the hook's form, no session): the same", async () => {
    sb = makeSandbox();
    const sock = join(sb.dir, "sock");
    const r = await runCli(sb, ["run", "--deadline", "none", "--", "bash", "-c", `tmux -S ${sock} -f /dev/null new -d 'sleep 9'`]);
    const server = leave(Number(await tmux(sock, "display", "-p", "#{pid}")));
    const pane = leave(Number(await tmux(sock, "list-panes", "-F", "#{pane_pid}")));
    expect(r.exitCode).toBe(0);
    expect([isAlive(server), isAlive(pane)]).toEqual([true, true]);
  });

  test("`supervise run -- sh -c 'SUPERVISE_KEEP=1 setsid sleep 1000 &'`: the sleep lives on, every time", async () => {
    sb = makeSandbox();
    // A few runs: the shell's fork is read only once it has exec'd with the mark.
    for (let i = 0; i < 5; i++) {
      const r = await runCli(sb, ["run", "--", "sh", "-c", `SUPERVISE_KEEP=1 setsid sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/kept-${i}.pid`]);
      expect(r.exitCode).toBe(0);
      expect(isAlive(pidIn(`kept-${i}.pid`))).toBe(true);
    }
    for (const entry of await lsAll(sb)) expect(entry).toMatchObject({ state: "exited", reason: null });
  });

  test("an ordinary `setsid sleep 1000 &`, and one without the cookie (`env -i`), are still ended", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--", "sh", "-c", `setsid sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/escape.pid; env -i setsid sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/bare.pid`]);
    expect(r.exitCode).toBe(0);
    // Ended before the wrapper returned: the one without the cookie found as the wrapper's child (its subreaper).
    expect([isAlive(pidIn("escape.pid")), isAlive(pidIn("bare.pid"))]).toEqual([false, false]);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", reason: "leftovers" });
  });

  test("`daemon & exec supervise run -- CMD`: the shell's own child, which the wrapper inherits at exec, is not the command's and lives on; the command's escape is still ended", async () => {
    sb = makeSandbox();
    const script = `sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/inherited.pid; exec "$BUN" "$CLI" run -- sh -c 'setsid sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/escape.pid'`;
    const proc = Bun.spawn(["bash", "-c", script], { env: { ...sb.env, BUN: process.execPath, CLI: join(import.meta.dir, "../../src/cli.ts") }, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    const [stderr, code] = await Promise.all([proc.stderr.text(), proc.exited]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect([isAlive(pidIn("inherited.pid")), isAlive(pidIn("escape.pid"))]).toEqual([true, false]);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", reason: "leftovers" });
  });

  test("a nested `supervise run --keep-orphaned` inside a wrapped command: what it kept outlives the outer wrapper's leftover cleanup and deadline alike", async () => {
    sb = makeSandbox();
    for (const [name, deadline, tail] of [["exit", [], "sleep 0.5"], ["deadline", ["-d", "1s"], "sleep 30"]] as const) {
      const inner = `"${process.execPath}" "${join(import.meta.dir, "..", "..", "src", "cli.ts")}" run --keep-orphaned -- sh -c 'sleep 1000 >/dev/null 2>&1 & echo $! > ${sb.dir}/inner-${name}.pid'`;
      const r = await runCli(sb, ["run", ...deadline, "--", "bash", "-c", `${inner}; ${tail}`]);
      expect([name, r.exitCode]).toEqual([name, name === "exit" ? 0 : 124]);
      expect([name, isAlive(pidIn(`inner-${name}.pid`))]).toEqual([name, true]);
    }
  });

  test("a kept process that rewrites its title over its environment (perl's $0) is still kept: what cannot be read counts as kept", async () => {
    sb = makeSandbox();
    const title = `$0 = "myapp: worker " . ("x" x 40); sleep 100`;
    const r = await runCli(sb, ["run", "--", "bash", "-c", `SUPERVISE_KEEP=1 setsid perl -e '${title}' >/dev/null 2>&1 & echo $! > ${sb.dir}/titled.pid; sleep 0.5`]);
    expect(r.exitCode).toBe(0);
    expect(isAlive(pidIn("titled.pid"))).toBe(true);
  });
});
