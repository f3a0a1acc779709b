// `supervise top`: the real CLI against real processes; the live view through a real
// pseudo-terminal (util-linux `script`), where `q` must quit and the screen be given back.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { BUN, CLI, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

function entry(session: string, name: string, script: string) {
  const proc = Bun.spawn([BUN, CLI, "run", "--session", session, "-n", name, "--", "sh", "-c", script], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
  sb.track(proc.pid);
  return proc;
}

async function running(count: number) {
  await waitFor(async () => (JSON.parse((await runCli(sb, ["ls", "--json"])).stdout) as Array<{ pid: number | null }>).filter((e) => e.pid !== null).length === count, 10_000, `${count} running`);
}

describe("supervise top", () => {
  test("--once: the session burning a core first, its process at its current CPU, and the quiet one after", async () => {
    sb = makeSandbox();
    entry("s-busy-0001", "spin", "while :; do :; done");
    entry("s-idle-0002", "idle", "exec sleep 100");
    await running(2);
    const r = await runCli(sb, ["top", "--once"], { env: { COLUMNS: "120" } });
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    // Other work on this machine may have sessions too: only this test's are looked at.
    expect(lines[0]).toMatch(/^supervise top \d\d:\d\d:\d\dZ {2}\d+ sessions?, \d+ process(es)?, CPU \d+%, RSS [\d.]+[BKMG]; by CPU, CPU over 1s$/);
    const sessions = lines.filter((l) => l.startsWith("session s-busy-0") || l.startsWith("session s-idle-0"));
    expect(sessions.map((l) => l.split(" ")[1])).toEqual(["s-busy-0", "s-idle-0"]);
    const spin = lines.find((l) => l.includes("while :"))!;
    expect(Number(spin.trim().split(/\s+/)[1])).toBeGreaterThanOrEqual(50);
    expect(r.stdout).not.toContain("\x1b[");
    const byMemory = await runCli(sb, ["top", "--once", "--sort", "mem", "--session", "s-idle"], { env: { COLUMNS: "60" } });
    expect(byMemory.exitCode).toBe(0);
    expect(byMemory.stdout).toContain("by memory");
    expect(byMemory.stdout).not.toContain("while :");
    for (const line of byMemory.stdout.split("\n").slice(1)) expect(line.length).toBeLessThanOrEqual(60);
  });

  test("a bad --sort is a usage error", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["top", "--sort", "pid"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: --sort: 'pid' is not cpu or mem\n" });
  });

  test.skipIf(Bun.which("script") === null)("live on a terminal: the alternate screen, a frame every 2 s, q quits with exit 0 and gives the screen back", async () => {
    sb = makeSandbox();
    entry("s-live-0003", "idle", "exec sleep 100");
    await running(1);
    const proc = Bun.spawn(["script", "-qfec", `${BUN} ${CLI} top`, "/dev/null"], { env: { ...sb.env, TERM: "xterm", COLUMNS: "100" }, cwd: sb.dir, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    let out = "";
    const reading = (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
    })();
    await waitFor(() => (out.match(/supervise top \d/g)?.length ?? 0) >= 2, 10_000, "two frames");
    expect(out).toContain("\x1b[?1049h");
    expect(out).toContain("c: sort by CPU  m: by memory  q: quit");
    proc.stdin.write("m");
    await waitFor(() => out.includes("by memory"), 5_000, "sorted by memory");
    proc.stdin.write("q");
    await proc.stdin.flush();
    expect(await proc.exited).toBe(0);
    await reading;
    expect(out.endsWith("\x1b[?25h\x1b[?1049l") || out.includes("\x1b[?25h\x1b[?1049l")).toBe(true);
  });

  test("live, not on a terminal: one frame after another, as top -b", async () => {
    sb = makeSandbox();
    const proc = Bun.spawn([BUN, CLI, "top"], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    let out = "";
    const reading = (async () => {
      for await (const chunk of proc.stdout) out += new TextDecoder().decode(chunk);
    })();
    await waitFor(() => (out.match(/^supervise top /gm)?.length ?? 0) >= 2, 10_000, "two frames");
    proc.kill("SIGTERM");
    await proc.exited;
    await reading;
    expect(out).not.toContain("\x1b[");
  });
});
