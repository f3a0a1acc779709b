// The ledger and config files under faults: a ledger whose pages are damaged behind an intact
// header never blinds a sweep (the rules that need no ledger still run), and a FIFO (or any
// file that is not a regular one) where supervise opens its own files is refused at once,
// never waited on: `run` still runs the command, every hook still answers. Every sweep, and
// every hook (PreToolUse may start one), runs inside a PID namespace.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { corruptPages } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const SHORT = { reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1s" }, grace: "1s", timeoutMs: 5000 } };


const movedAside = (home: string) => readdirSync(home).filter((name) => /^ledger\.db\.corrupt-/.test(name) && !name.endsWith("-wal") && !name.endsWith("-shm"));

describe("a sweep over a ledger whose pages are corrupt", () => {
  nsTest(
    "reap and SessionStart still end an orphaned rg past its threshold; the ledger is moved aside and the report says so",
    async () => {
      sb = makeSandbox(SHORT);
      corruptPages(sb.home);
      const r = await inNamespace(
        sb,
        String.raw`
LEAK=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG)
wait_age $LEAK 1100
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "LEAK_ALIVE $(alive $LEAK)"
cp "$SUPERVISE_HOME/ledger.db.corrupt-"*[0-9] "$D/still-corrupt.db" 2>/dev/null; rm -f "$SUPERVISE_HOME"/ledger.db*
cp "$D/still-corrupt.db" "$SUPERVISE_HOME/ledger.db"
LEAK2=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG)
wait_age $LEAK2 1100
echo "HOOK $(printf '%s' '{"session_id":"s-1","source":"startup","cwd":"'"$D"'","hook_event_name":"SessionStart"}' | sv hook session-start 2>"$D/hook.err")"
echo "HOOK_CODE $?"
echo "LEAK2_ALIVE $(alive $LEAK2)"
`,
      );
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.scanned).toBeGreaterThan(0);
      expect(report.targets).toEqual([expect.objectContaining({ reason: "rg-tag", action: "terminated" })]);
      // reap's one stderr line is its report's error.
      expect(r.stderr).toMatch(/^supervise: reap: ledger: corrupt \(quick_check: [^\n]*\); moved it to [^\n]* and started a new one\n$/);
      expect(report.errors).toEqual([expect.stringMatching(/^ledger: corrupt \(.*\); moved it to .*ledger\.db\.corrupt-.* and started a new one$/)]);
      expect(r.values.get("LEAK_ALIVE")).toBe("no");
      // The hook sweeps too, with the ledger corrupt again: the rg is ended, the answer is JSON, exit 0.
      expect(r.values.get("HOOK_CODE")).toBe("0");
      expect(JSON.parse(r.values.get("HOOK")!).hookSpecificOutput.hookEventName).toBe("SessionStart");
      expect(r.values.get("LEAK2_ALIVE")).toBe("no");
    },
    60_000,
  );
});

interface Bounded {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Still running at the deadline: SIGKILLed (it blocked on the FIFO). */
  hung: boolean;
}

/** The real CLI, SIGKILLed if it has not exited within `ms`: a FIFO must never be waited on. */
async function runBounded(sb: Sandbox, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}, ms = 10_000): Promise<Bounded> {
  const proc = Bun.spawn([BUN, CLI, ...args], { env: { ...sb.env, ...options.env }, cwd: options.cwd ?? sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  sb.track(proc.pid);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    proc.kill("SIGKILL");
  }, ms);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    return { stdout, stderr, exitCode, hung };
  } finally {
    clearTimeout(timer);
  }
}

function mkfifo(path: string): void {
  rmSync(path, { force: true });
  const r = Bun.spawnSync(["mkfifo", path]);
  if (r.exitCode !== 0) throw new Error(`mkfifo ${path}: ${r.stderr.toString()}`);
}

describe("a FIFO where supervise opens its own files", () => {
  test("<state>/ledger.db: run runs the command at once, with one warning naming it; ls says one line", async () => {
    sb = makeSandbox();
    mkdirSync(sb.home, { recursive: true, mode: 0o700 });
    const path = join(sb.home, "ledger.db");
    mkfifo(path);
    const r = await runBounded(sb, ["run", "--", "echo", "ran"]);
    expect(r).toEqual({
      stdout: "ran\n",
      stderr: `supervise: warning: ledger not written (ledger unavailable: ${path} is a FIFO, not a regular file); the command runs unrecorded\n`,
      exitCode: 0,
      hung: false,
    });
    expect(await runBounded(sb, ["ls"])).toEqual({ stdout: "", stderr: `supervise: ledger unavailable: ${path} is a FIFO, not a regular file\n`, exitCode: 1, hung: false });
    expect(movedAside(sb.home)).toEqual([]);
  });

  test("<state>/ledger.db-wal: the same, naming the -wal", async () => {
    sb = makeSandbox();
    expect((await runBounded(sb, ["run", "--", "true"])).exitCode).toBe(0);
    const wal = join(sb.home, "ledger.db-wal");
    mkfifo(wal);
    const r = await runBounded(sb, ["run", "--", "echo", "ran"]);
    expect(r).toEqual({ stdout: "ran\n", stderr: `supervise: warning: ledger not written (ledger unavailable: ${wal} is a FIFO, not a regular file); the command runs unrecorded\n`, exitCode: 0, hung: false });
  });

  test("<state>/config-cache.json: a cache miss; run runs as usual and writes the cache again", async () => {
    sb = makeSandbox();
    mkdirSync(sb.home, { recursive: true, mode: 0o700 });
    mkfifo(join(sb.home, "config-cache.json"));
    expect(await runBounded(sb, ["run", "--", "echo", "ran"])).toEqual({ stdout: "ran\n", stderr: "", exitCode: 0, hung: false });
    expect(Bun.file(join(sb.home, "config-cache.json")).size).toBeGreaterThan(0);
  });

  test("--config FIFO, or $SUPERVISE_CONFIG naming one: a usage error, 125, one line", async () => {
    sb = makeSandbox();
    const fifo = join(sb.dir, "fifo.json");
    mkfifo(fifo);
    const line = `supervise: config ${fifo}: cannot read: a FIFO, not a regular file\n`;
    expect(await runBounded(sb, ["run", "--config", fifo, "--", "echo", "ran"])).toEqual({ stdout: "", stderr: line, exitCode: 125, hung: false });
    expect(await runBounded(sb, ["run", "--", "echo", "ran"], { env: { SUPERVISE_CONFIG: fifo } })).toEqual({ stdout: "", stderr: line, exitCode: 125, hung: false });
  });

  test("a project's .supervise.json: the same as a project file that cannot be read (125, one line)", async () => {
    sb = makeSandbox();
    const project = join(sb.dir, "project");
    mkdirSync(project);
    mkfifo(join(project, ".supervise.json"));
    const env = { SUPERVISE_CONFIG: "", XDG_CONFIG_HOME: join(sb.dir, "xdg") };
    const r = await runBounded(sb, ["run", "--", "echo", "ran"], { env, cwd: project });
    expect(r).toEqual({ stdout: "", stderr: `supervise: config ${join(project, ".supervise.json")}: cannot read: a FIFO, not a regular file\n`, exitCode: 125, hung: false });
  });

  nsTest(
    "the hooks answer valid JSON and exit 0 (SUPERVISE_CONFIG a FIFO; a project's .supervise.json a FIFO)",
    async () => {
      sb = makeSandbox();
      mkfifo(sb.configPath);
      const r = await inNamespace(
        sb,
        String.raw`
mkdir -p "$D/project" "$D/xdg"; mkfifo "$D/project/.supervise.json"
call() { printf '{"session_id":"s-1","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"sleep 1","run_in_background":true}}' "$1"; }
bounded() { timeout -k 1 10 "$@"; }
echo "PRE_EXPLICIT $(call "$D" | bounded "$BUN" "$CLI" hook pre-tool-use 2>"$D/pre1.err")"; echo "PRE_EXPLICIT_CODE $?"
echo "START_EXPLICIT $(printf '{"session_id":"s-1","source":"startup","cwd":"%s","hook_event_name":"SessionStart"}' "$D" | bounded "$BUN" "$CLI" hook session-start 2>"$D/start1.err")"; echo "START_EXPLICIT_CODE $?"
export SUPERVISE_CONFIG= XDG_CONFIG_HOME="$D/xdg"
echo "PRE_PROJECT $(call "$D/project" | bounded "$BUN" "$CLI" hook pre-tool-use 2>"$D/pre2.err")"; echo "PRE_PROJECT_CODE $?"
echo "START_PROJECT $(printf '{"session_id":"s-2","source":"startup","cwd":"%s","hook_event_name":"SessionStart"}' "$D/project" | bounded "$BUN" "$CLI" hook session-start 2>"$D/start2.err")"; echo "START_PROJECT_CODE $?"
for f in pre1 start1 pre2 start2; do echo "ERR_$f $(grep -c 'a FIFO, not a regular file' "$D/$f.err")"; done
`,
      );
      expect(r.stderr).toBe("");
      for (const name of ["PRE_EXPLICIT", "START_EXPLICIT", "PRE_PROJECT", "START_PROJECT"]) {
        expect(r.values.get(`${name}_CODE`)).toBe("0");
        expect(() => JSON.parse(r.values.get(name)!)).not.toThrow();
      }
      // Not wrapped: the config that would say how could not be read.
      expect(JSON.parse(r.values.get("PRE_EXPLICIT")!)).toEqual({});
      expect(JSON.parse(r.values.get("PRE_PROJECT")!)).toEqual({});
      for (const f of ["pre1", "start1", "pre2", "start2"]) expect(r.values.get(`ERR_${f}`)).toBe("1");
    },
    60_000,
  );
});
