// SessionEnd: the session's commands are ended (reason session-end) when the reason is in
// hooks.sessionEndKillOn; the hook itself returns fast and a detached follow-up escalates.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { lsAll, startSupervised } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const STUBBORN = `trap '' TERM; echo trapped; while :; do sleep 1; done`;
// SessionEnd also ends the session's unsupervised orphans. These tests run outside a PID
// namespace, so every session id is unique to this run: no other process can carry it.
const RUN = crypto.randomUUID();
const id = (name: string) => `${name}-${RUN}`;
const input = (session: string, reason: string) => JSON.stringify({ session_id: session, transcript_path: "/t", cwd: "/", hook_event_name: "SessionEnd", reason });

async function stubborn(session: string) {
  const s = await startSupervised(sb, ["--session", session, "-g", "500ms"], STUBBORN);
  expect(await s.run.nextLine()).toBe("trapped");
  return s;
}

describe("supervise hook session-end", () => {
  test("5 TERM-ignoring entries: the hook returns within the budget, the follow-up kills them after the grace; other sessions untouched", async () => {
    sb = makeSandbox();
    const mine = await Promise.all(Array.from({ length: 5 }, () => stubborn(id("s-end"))));
    const other = await startSupervised(sb, ["--session", id("s-other")]);

    const started = performance.now();
    const r = await runCli(sb, ["hook", "session-end"], { stdin: input(id("s-end"), "prompt_input_exit") });
    const tookMs = performance.now() - started;
    expect(r).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
    // Claude Code gives all SessionEnd hooks 1.5 s; the issue asks for 300 ms.
    expect(tookMs).toBeLessThan(300);

    await waitFor(() => mine.every((s) => !isAlive(s.pid)), 10_000, "the session's commands to die");
    for (const s of mine) expect(await s.run.proc.exited).toBe(137);
    const byId = new Map((await lsAll(sb)).map((e) => [e.id, e]));
    for (const s of mine) expect(byId.get(s.id)).toMatchObject({ state: "killed", reason: "session-end", signal: "KILL" });
    expect(isAlive(other.pid)).toBe(true);
    expect(byId.get(other.id)).toMatchObject({ state: "running" });
  });

  test("a command that obeys TERM ends on the hook's own signal: killed, session-end, TERM", async () => {
    sb = makeSandbox();
    const s = await startSupervised(sb, ["--session", id("s-1")]);
    expect((await runCli(sb, ["hook", "session-end"], { stdin: input(id("s-1"), "other") })).exitCode).toBe(0);
    expect(await s.run.proc.exited).toBe(143);
    await waitFor(async () => (await lsAll(sb)).find((e) => e.id === s.id)?.state === "killed", 5_000, "the end to be recorded");
    expect((await lsAll(sb)).find((e) => e.id === s.id)).toMatchObject({ reason: "session-end", signal: "TERM" });
  });

  test("an entry started with --keep-orphaned is kept, by the hook and by its follow-up", async () => {
    sb = makeSandbox();
    const kept = await startSupervised(sb, ["--session", id("s-keep"), "--keep-orphaned"]);
    const ended = await stubborn(id("s-keep"));
    expect((await runCli(sb, ["hook", "session-end"], { stdin: input(id("s-keep"), "other") })).exitCode).toBe(0);
    // The follow-up has done its work once the stubborn entry's end is recorded.
    await waitFor(async () => (await lsAll(sb)).find((e) => e.id === ended.id)?.state === "killed", 10_000, "the follow-up to end the other entry");
    expect(isAlive(kept.pid)).toBe(true);
    expect((await lsAll(sb)).find((e) => e.id === kept.id)).toMatchObject({ state: "running", reason: null });
  });

  test("clear and resume (not in hooks.sessionEndKillOn by default) end nothing; the config decides", async () => {
    sb = makeSandbox();
    const s = await startSupervised(sb, ["--session", id("s-2")]);
    for (const reason of ["clear", "resume"]) {
      expect(await runCli(sb, ["hook", "session-end"], { stdin: input(id("s-2"), reason) })).toEqual({ exitCode: 0, stdout: "{}\n", stderr: "" });
    }
    expect(isAlive(s.pid)).toBe(true);
    await Bun.write(sb.configPath, JSON.stringify({ hooks: { sessionEndKillOn: ["clear"] } }));
    await runCli(sb, ["hook", "session-end"], { stdin: input(id("s-2"), "clear") });
    expect(await s.run.proc.exited).toBe(143);
  });

  test("bad input: exit 0, {}, one stderr line, nothing ended", async () => {
    sb = makeSandbox();
    const s = await startSupervised(sb, ["--session", id("s-3")]);
    const mistyped = [{ session_id: 42, reason: "other" }, { session_id: id("s-3"), reason: ["other"] }, { session_id: [id("s-3")], reason: "other" }];
    for (const stdin of ["", "nope", "[]", JSON.stringify({ reason: "other" }), ...mistyped.map((x) => JSON.stringify(x))]) {
      const r = await runCli(sb, ["hook", "session-end"], { stdin });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe("{}\n");
      expect(r.stderr.split("\n")).toHaveLength(2);
    }
    expect(isAlive(s.pid)).toBe(true);
  });
});
