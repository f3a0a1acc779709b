// `supervise kill ID` under faults: the user asked for the stop, so a ledger that cannot be
// written (another writer holding the lock past the busy timeout, a full disk, a read-only
// state dir) costs one warning line, never the stop; `gc` there is one line and exit 1. And
// a `kill` SIGKILLed during its grace leaves no stop behind: the command's own exit, later,
// is recorded as what it was.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { linesOf, runCli, startCli } from "../helpers/cli.ts";
import { KillResultSchema, parseJson } from "../helpers/contract.ts";
import { lsAll, rawRows, startSupervised } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { BUN, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const asRoot = process.getuid?.() === 0 ? nsTest : test.skip;

/** kill's one line about the record, for these ids and this SQLite error. */
const unrecordedLine = (ids: string, error: RegExp) =>
  new RegExp(`^supervise: warning: the ledger could not be written \\([^\\n]*${error.source}[^\\n]*\\); the stop of ${ids} is not recorded\\n$`);

/** Another writer, in its own process, holding the write lock until it is killed. */
async function holdWriteLock(s: Sandbox): Promise<{ pid: number; release: () => Promise<void> }> {
  const script = join(s.dir, "locker.ts");
  writeFileSync(
    script,
    `import { Database } from "bun:sqlite";
const db = new Database(process.argv[2]);
db.run("BEGIN IMMEDIATE");
console.log("locked");
// Referenced from a live timer: a collected connection would close and release the lock.
setInterval(() => db.inTransaction, 1000);
`,
  );
  const proc = Bun.spawn([BUN, script, join(s.home, "ledger.db")], { env: s.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  s.track(proc.pid);
  expect(await linesOf(proc).nextLine()).toBe("locked");
  return {
    pid: proc.pid,
    release: async () => {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

describe("kill when the ledger cannot be written", () => {
  test("another writer holds the lock past the busy timeout: the command is ended, kill exits 0 and says in one line that the stop is not recorded; gc is one line, exit 1", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const { run, id, pid } = await startSupervised(sb, []);
    const lock = await holdWriteLock(sb);
    try {
      const killed = await runCli(sb, ["kill", id]);
      expect(killed.stderr).toMatch(unrecordedLine(id, /SQLITE_BUSY/));
      expect(killed.stdout).toBe(`ID          RESULT      SIGNAL  COMMAND\n${id}  terminated  TERM    sh -c echo "$SUPERVISE_ID $$"; exec sleep 100\n`);
      expect(killed.exitCode).toBe(0);
      expect(isAlive(pid)).toBe(false);

      const gc = await runCli(sb, ["gc"]);
      expect(gc).toEqual({ exitCode: 1, stdout: "", stderr: "supervise: gc stopped: the state dir cannot be written (database is locked (SQLITE_BUSY))\n" });
    } finally {
      await lock.release();
    }
    expect(await run.proc.exited).toBe(143);
  });

  asRoot("a read-only state dir (a read-only bind mount, in its own mount and pid namespace): the command is ended, one line says the stop is not recorded; gc is one line, exit 1", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      String.raw`
sv run -- true
sv run -- sh -c 'echo "$SUPERVISE_ID $$"; exec sleep 100' > "$D/run.out" 2> "$D/run.err" &
WRAPPER=$!
wait_until '[ -s "$D/run.out" ]'
read -r ID PID < "$D/run.out"
wait_until '[ "$(sv show "$ID" --json | "$BUN" -e "console.log((await Bun.stdin.json()).pid)")" = "$PID" ]'
mount --bind "$SUPERVISE_HOME" "$SUPERVISE_HOME" && mount -o remount,bind,ro "$SUPERVISE_HOME"
touch "$SUPERVISE_HOME/probe" 2> /dev/null && echo "READ_ONLY no" || echo "READ_ONLY yes"
sv kill --json "$ID" > "$D/kill.out" 2> "$D/kill.err"; echo "KILL_EXIT $?"
echo "ID $ID"
echo "COMMAND_ALIVE $(alive "$PID")"
# A kill that ended nothing must not leave the scenario waiting for the command's natural end.
[ "$(alive "$PID")" = yes ] && kill -KILL "$PID"
sv gc > "$D/gc.out" 2> "$D/gc.err"; echo "GC_EXIT $?"
wait $WRAPPER; echo "WRAPPER_EXIT $?"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("READ_ONLY")).toBe("yes");
    const id = r.values.get("ID")!;
    expect(read(sb, "kill.err")).toMatch(unrecordedLine(id, /SQLITE_READONLY/));
    // --json keeps to its contract: the warning is stderr's.
    expect(parseJson(KillResultSchema, read(sb, "kill.out"))).toMatchObject([{ id, outcome: "terminated", signal: "TERM" }]);
    expect(r.values.get("KILL_EXIT")).toBe("0");
    expect(r.values.get("COMMAND_ALIVE")).toBe("no");
    expect(read(sb, "gc.err")).toBe("supervise: gc stopped: the state dir cannot be written (attempt to write a readonly database (SQLITE_READONLY))\n");
    expect(read(sb, "gc.out")).toBe("");
    expect(r.values.get("GC_EXIT")).toBe("1");
    expect(r.values.get("WRAPPER_EXIT")).toBe("143");
  });

  asRoot("a full disk (a small tmpfs as the state dir, filled, in its own mount and pid namespace): the command is ended, one line says the stop is not recorded; gc is one line, exit 1", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      String.raw`
mkdir -p "$SUPERVISE_HOME" && mount -t tmpfs -o size=4m,mode=0700 tmpfs "$SUPERVISE_HOME"
sv run -- true
sv run -- sh -c 'echo "$SUPERVISE_ID $$"; exec sleep 100' > "$D/run.out" 2> "$D/run.err" &
WRAPPER=$!
wait_until '[ -s "$D/run.out" ]'
read -r ID PID < "$D/run.out"
wait_until '[ "$(sv show "$ID" --json | "$BUN" -e "console.log((await Bun.stdin.json()).pid)")" = "$PID" ]'
# An empty WAL: the next write must grow a file (a WAL that restarts would overwrite its old frames in place).
"$BUN" -e 'import { constants, Database } from "bun:sqlite"; const db = new Database(process.argv.at(-1)); db.fileControl(constants.SQLITE_FCNTL_PERSIST_WAL, 1); console.log("CHECKPOINT", JSON.stringify(db.query("PRAGMA wal_checkpoint(TRUNCATE)").get()))' "$SUPERVISE_HOME/ledger.db"
dd if=/dev/zero of="$SUPERVISE_HOME/fill" bs=64k 2> /dev/null
head -c 1048576 /dev/zero >> "$SUPERVISE_HOME/fill" 2> /dev/null
echo "FREE $(df --output=avail -B1 "$SUPERVISE_HOME" | tail -1 | tr -d ' ')"
sv kill "$ID" > "$D/kill.out" 2> "$D/kill.err"; echo "KILL_EXIT $?"
echo "ID $ID"
echo "COMMAND_ALIVE $(alive "$PID")"
# A kill that ended nothing must not leave the scenario waiting for the command's natural end.
[ "$(alive "$PID")" = yes ] && kill -KILL "$PID"
sv gc > "$D/gc.out" 2> "$D/gc.err"; echo "GC_EXIT $?"
wait $WRAPPER; echo "WRAPPER_EXIT $?"
`,
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.values.get("CHECKPOINT")!)).toMatchObject({ busy: 0 });
    expect(r.values.get("FREE")).toBe("0");
    const id = r.values.get("ID")!;
    expect(read(sb, "kill.err")).toMatch(unrecordedLine(id, /SQLITE_FULL/));
    expect(read(sb, "kill.out").split("\n")[1]).toStartWith(`${id}  terminated  TERM  `);
    expect(r.values.get("KILL_EXIT")).toBe("0");
    expect(r.values.get("COMMAND_ALIVE")).toBe("no");
    expect(read(sb, "gc.err")).toBe("supervise: gc stopped: the state dir cannot be written (database or disk is full (SQLITE_FULL))\n");
    expect(read(sb, "gc.out")).toBe("");
    expect(r.values.get("GC_EXIT")).toBe("1");
    expect(r.values.get("WRAPPER_EXIT")).toBe("143");
  });
});

describe("a kill SIGKILLed during its grace", () => {
  test("its stop request dies with it: the command, TERM ignored, then exits 5 by itself and is recorded exited/5", async () => {
    sb = makeSandbox();
    const termed = join(sb.dir, "termed");
    const gate = join(sb.dir, "gate");
    const { run, id, pid } = await startSupervised(sb, [], `trap 'echo > ${termed}' TERM; while [ ! -e ${gate} ]; do sleep 0.05; done; exit 5`);
    const killer = startCli(sb, ["kill", "--grace", "1h", id]);
    await waitFor(() => existsSync(termed), 10_000, "the command to get kill's TERM");
    // Asked, and in its grace: the request stands while kill lives.
    expect(rawRows(sb).find((row) => row.id === id)).toMatchObject({ stop_reason: "manual", stop_owner: expect.stringMatching(`:${killer.proc.pid}:`) });
    killer.proc.kill("SIGKILL");
    await killer.proc.exited;
    expect(isAlive(pid)).toBe(true);
    writeFileSync(gate, "");
    expect(await run.proc.exited).toBe(5);
    expect((await lsAll(sb)).find((e) => e.id === id)).toMatchObject({ state: "exited", reason: null, exitCode: 5, signal: null, exitStatus: 5 });
  });
});

function read(s: Sandbox, name: string): string {
  return readFileSync(join(s.dir, name), "utf8");
}
