// What the wrapper records, and what it does when the ledger cannot be written: a busy one is
// written again before the wrapper exits, one deleted or truncated under it gets the entry again.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli.ts";
import { hasLedgerOpen, isWatching, lsAll, rawRows, whileLedgerLocked } from "../helpers/ledger.ts";
import { makeSandbox, startTicks, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const bootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();

describe("ledger rows", () => {
  test("a running entry carries identity, owner and deadline; its end is recorded", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "-d", "1h", "-g", "2s", "-n", "probe", "--session", "s-1", "--", "sh", "-c", "echo $$; exec sleep 100"]);
    const pid = Number(await run.nextLine());
    sb.track(pid);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "running", pid, pgid: pid, wrapperPid: run.proc.pid, name: "probe", session: "s-1", cwd: sb.dir, endedAt: null });
    expect(Date.parse(entry.deadlineAt) - Date.parse(entry.startedAt)).toBe(3_600_000);
    const [row] = rawRows(sb);
    expect(row).toMatchObject({ boot_id: bootId, start_ticks: startTicks(pid), wrapper_start_ticks: startTicks(run.proc.pid), grace_ms: 2000, first_signal: "TERM" });

    run.proc.kill("SIGTERM");
    expect((await run.finish()).exitCode).toBe(143);
    const [ended] = await lsAll(sb);
    expect(ended).toMatchObject({ state: "killed", reason: "signal" });
    expect(Date.parse(ended.endedAt)).toBeGreaterThanOrEqual(Date.parse(ended.startedAt));
  });

  test("session defaults to CLAUDE_CODE_SESSION_ID, then SUPERVISE_SESSION; --deadline none stores no deadline", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"], { env: { CLAUDE_CODE_SESSION_ID: "claude-1", SUPERVISE_SESSION: "sup-1" } });
    await runCli(sb, ["run", "-d", "none", "--", "true"], { env: { SUPERVISE_SESSION: "sup-2" } });
    const entries = await lsAll(sb);
    expect(entries.map((e) => e.session)).toEqual(["claude-1", "sup-2"]);
    expect(entries[1].deadlineAt).toBeNull();
  });

  test("100 concurrent wrappers on a new ledger: every row recorded, no busy error", async () => {
    sb = makeSandbox();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => runCli(sb, ["run", "-n", `job-${i}`, "--", "true"])));
    expect(results.filter((r) => r.exitCode !== 0 || r.stderr !== "")).toEqual([]);
    const entries = await lsAll(sb);
    expect(entries).toHaveLength(100);
    expect(new Set(entries.map((e) => e.name)).size).toBe(100);
    expect(entries.every((e) => e.state === "exited" && e.exitCode === 0)).toBe(true);
    expect(readdirSync(sb.home).filter((f) => f.includes("corrupt"))).toEqual([]);
  });

  test("state dir and ledger are private (0700, 0600)", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const { statSync } = await import("node:fs");
    expect(statSync(sb.home).mode & 0o777).toBe(0o700);
    expect(statSync(join(sb.home, "ledger.db")).mode & 0o777).toBe(0o600);
  });

  test("one log line per start and end, in pino's NDJSON shape", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const lines = readFileSync(join(sb.home, "supervise.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(["started", "ended"]);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 30, pid: expect.any(Number), hostname: expect.any(String), time: expect.any(Number), id: expect.any(String) });
    }
  });
});

describe("when the ledger cannot be written, the command still runs", () => {
  test("corrupt ledger: moved aside, recreated, one warning", async () => {
    sb = makeSandbox();
    mkdirSync(sb.home, { recursive: true });
    const garbage = "this is not a sqlite database, not at all ".repeat(200);
    writeFileSync(join(sb.home, "ledger.db"), garbage);
    const r = await runCli(sb, ["run", "--", "echo", "ran"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("ran\n");
    expect(r.stderr).toMatch(/^supervise: warning: the ledger was corrupt; moved it to .*ledger\.db\.corrupt-.* and started a new one\n$/);
    const aside = readdirSync(sb.home).find((f) => /^ledger\.db\.corrupt-[^-]/.test(f) && !f.endsWith("-wal") && !f.endsWith("-shm"))!;
    expect(readFileSync(join(sb.home, aside), "utf8")).toBe(garbage);
    expect(await lsAll(sb)).toHaveLength(1);
  });

  test("locked ledger: the command runs after the busy timeout, one warning, nothing moved", async () => {
    sb = makeSandbox();
    await whileLedgerLocked(sb, async () => {
      const r = await runCli(sb, ["run", "--", "echo", "ran"]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe("ran\n");
      expect(r.stderr).toMatch(/^supervise: warning: ledger not written \(.*locked.*\); the command runs unrecorded\n$/);
    });
    expect(readdirSync(sb.home).filter((f) => f.includes("corrupt"))).toEqual([]);
    expect(await lsAll(sb)).toHaveLength(1);
  });

  test("a signal while the wrapper waits on the ledger lock: the command is never started", async () => {
    sb = makeSandbox();
    await whileLedgerLocked(sb, async () => {
      const marker = join(sb.dir, "started");
      const run = startCli(sb, ["run", "--", "sh", "-c", `touch ${marker}`]);
      // The wrapper has the ledger open: it is in its busy wait, before the launch.
      await waitFor(() => hasLedgerOpen(run.proc.pid), 5_000, "the wrapper to open the ledger");
      run.proc.kill("SIGTERM");
      const r = await run.finish();
      expect(r.exitCode).toBe(143);
      expect(existsSync(marker)).toBe(false);
      // It handled the signal itself (a default-action death would print nothing).
      expect(r.stderr).toMatch(/^supervise: warning: ledger not written .*\n$/);
    });
  });

  test("unusable state dir: the command runs and its deadline still holds", async () => {
    sb = makeSandbox();
    const file = join(sb.dir, "a-file");
    writeFileSync(file, "");
    const r = await runCli(sb, ["run", "-d", "300ms", "--", "sh", "-c", "echo ran; sleep 30"], { env: { SUPERVISE_HOME: join(file, "state") } });
    expect(r.exitCode).toBe(124);
    expect(r.stdout).toBe("ran\n");
    expect(r.stderr).toMatch(/^supervise: warning: ledger not written \(.*\); the command runs unrecorded\n$/);
    expect(existsSync(join(file, "state"))).toBe(false);
  });
});

/** Holds the sandbox ledger's write lock (as another writer would) for `ms`, from now; resolves once released. */
function holdLedgerLock(sb: Sandbox, ms: number): Promise<void> {
  const db = new Database(join(sb.home, "ledger.db"));
  db.run("PRAGMA busy_timeout = 0");
  db.run("BEGIN IMMEDIATE");
  return Bun.sleep(ms).then(() => {
    db.run("ROLLBACK");
    db.close();
  });
}

describe("no run is lost to a busy ledger", () => {
  test("150 concurrent wrappers while another writer holds the lock past their busy timeout: every row, pid, end and status recorded, no warning", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const released = holdLedgerLock(sb, 5_000);
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => runCli(sb, ["run", "-n", `job-${i}`, "--", "true"])));
    await released;
    expect(results.filter((r) => r.exitCode !== 0 || r.stderr !== "")).toEqual([]);
    const rows = new Map(rawRows(sb).map((row) => [row.name, row]));
    const lost = Array.from({ length: 150 }, (_, i) => `job-${i}`).filter((name) => {
      const row = rows.get(name);
      return !row || row.pid === null || row.ended_at === null || row.state !== "exited" || row.exit_status !== 0;
    });
    expect(lost).toEqual([]);
  });

  test("a command launched while the ledger is locked is recorded while it runs, and `kill ID` then stops it", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const released = holdLedgerLock(sb, 4_000);
    const run = startCli(sb, ["run", "-n", "late", "--", "sh", "-c", 'echo "$SUPERVISE_ID $$"; exec sleep 60']);
    const [id, pid] = (await run.nextLine(15_000)).split(" ");
    sb.track(Number(pid));
    await released;
    // Recorded by a retry in the command's lifetime, long before its end.
    await waitFor(() => rawRows(sb).some((row) => row.id === id && row.pid === Number(pid)), 10_000, "the late row and its pid");
    expect((await runCli(sb, ["kill", id!])).exitCode).toBe(0);
    const r = await run.finish();
    expect(r).toMatchObject({ exitCode: 143, stderr: "" });
    const entry = (await lsAll(sb)).find((e) => e.id === id);
    expect(entry).toMatchObject({ name: "late", state: "killed", reason: "manual", exitStatus: 143 });
  });
});

describe("the ledger deleted or truncated while a wrapper runs", () => {
  const ledger = (sb: Sandbox) => join(sb.home, "ledger.db");
  const damages: Array<[string, (sb: Sandbox) => void]> = [
    ["deleted, its -wal and -shm left behind", (sb) => rmSync(ledger(sb))],
    ["deleted with its -wal and -shm", (sb) => ["", "-wal", "-shm"].forEach((suffix) => rmSync(ledger(sb) + suffix, { force: true }))],
    ["truncated to nothing", (sb) => truncateSync(ledger(sb), 0)],
  ];
  for (const [how, damage] of damages) {
    test(`${how}: one warning, the entry and its exit status in the new ledger, and wait returns that status`, async () => {
      sb = makeSandbox();
      // Rows of other runs, in the file and its WAL: what is deleted is a ledger in use.
      for (let i = 0; i < 3; i++) await runCli(sb, ["run", "--", "true"]);
      const go = join(sb.dir, "go");
      const run = startCli(sb, ["run", "-n", "victim", "--", "sh", "-c", `echo "$SUPERVISE_ID"; while [ ! -e '${go}' ]; do sleep 0.02; done; exit 7`]);
      const id = await run.nextLine();
      await waitFor(() => rawRows(sb).some((row) => row.id === id && row.pid !== null), 5_000, "the pid to be recorded");
      const waiting = startCli(sb, ["wait", id]);
      await waitFor(() => isWatching(waiting.proc.pid), 5_000, "wait to read its entry and watch the state dir");
      damage(sb);
      writeFileSync(go, "");
      const r = await run.finish();
      expect(r.exitCode).toBe(7);
      expect(r.stderr).toBe(`supervise: warning: the ledger ${ledger(sb)} was deleted, truncated or replaced while the command ran; its entry ${id} is recorded again in the new one\n`);
      expect(await waiting.finish()).toMatchObject({ exitCode: 7, stderr: "" });
      const entries = await lsAll(sb);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ id, name: "victim", state: "exited", exitCode: 7, exitStatus: 7, wrapperPid: run.proc.pid });
      expect(rawRows(sb)[0].pid).not.toBeNull();
    });
  }
});
