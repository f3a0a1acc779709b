// An end is recorded only when something of the entry was reached: a `kill` whose stop
// failed withdraws its stop reason, and a sweep that could end nothing of an owner-dead
// entry (all of it protected) records nothing. Each time the entry's own end, later, is
// recorded by its wrapper as what it was.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { runCli, startCli } from "../helpers/cli.ts";
import { lsAll, rawRows } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const asRoot = process.getuid?.() === 0 ? test : test.skip;

/** A fifo the command blocks on (a builtin read: no child process); writing a line to it lets the command exit. */
function makeGate(dir: string): string {
  const path = join(dir, "gate");
  const made = spawnSync("mkfifo", ["-m", "666", path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
  return path;
}

/** Starts `run -- ...command` whose shell prints "<SUPERVISE_ID> <pid>" first; waits until the pid is recorded. */
async function startGated(s: Sandbox, command: string[]) {
  const run = startCli(s, ["run", "--", ...command]);
  const [id, pid] = (await run.nextLine()).split(" ");
  s.track(Number(pid));
  await waitFor(() => rawRows(s).some((row) => row.id === id && row.pid !== null), 5_000, "the pid to be recorded");
  return { run, id: id!, pid: Number(pid) };
}

const rowOf = (s: Sandbox, id: string) => rawRows(s).find((row) => row.id === id);

describe("`supervise kill` that fails", () => {
  test("its stop failed (TERM ignored, --grace none): no stop reason is left, and the command's own exit is recorded exited with its code", async () => {
    sb = makeSandbox();
    const gate = makeGate(sb.dir);
    const { run, id } = await startGated(sb, ["sh", "-c", `trap "" TERM; echo "$SUPERVISE_ID $$"; read _ < "$0"; exit 3`, gate]);
    const killed = await runCli(sb, ["kill", "--grace", "none", id]);
    expect(killed.exitCode).toBe(1);
    expect(killed.stdout).toContain("FAILED: still alive");
    expect(rowOf(sb, id)).toMatchObject({ ended_at: null, stop_reason: null });
    writeFileSync(gate, "go\n");
    expect((await run.finish()).exitCode).toBe(3);
    expect((await lsAll(sb)).find((e) => e.id === id)).toMatchObject({ state: "exited", reason: null, exitCode: 3 });
  });

  asRoot("nothing reached (its only process is another user's, found by its cookie): no stop reason is left, and its own exit is recorded exited", async () => {
    sb = makeSandbox();
    // The command runs as nobody: it must be able to reach the gate.
    chmodSync(sb.dir, 0o711);
    const gate = makeGate(sb.dir);
    const { run, id } = await startGated(sb, [
      "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
      "sh", "-c", `echo "$SUPERVISE_ID $$"; read _ < "$0"; exit 3`, gate,
    ]);
    // The recorded group no longer names it: what is left of it is a cookie carrier, and signal.ts refuses another user's process.
    const db = new Database(join(sb.home, "ledger.db"));
    db.query("UPDATE entries SET pgid = NULL WHERE id = ?").run(id);
    db.close();
    const killed = await runCli(sb, ["kill", "--json", id]);
    expect(killed.exitCode).toBe(1);
    expect(JSON.parse(killed.stdout)).toMatchObject([{ id, outcome: "failed", signal: null }]);
    expect(rowOf(sb, id)).toMatchObject({ ended_at: null, stop_reason: null });
    writeFileSync(gate, "go\n");
    expect((await run.finish()).exitCode).toBe(3);
    expect((await lsAll(sb)).find((e) => e.id === id)).toMatchObject({ state: "exited", reason: null, exitCode: 3 });
  });
});

describe("a sweep that reaches nothing of an entry (inside a PID namespace)", () => {
  nsTest(
    "an owner-dead entry whose only process is protected (pytest): nothing is recorded or asked, `ls` shows it running, and its wrapper records its own exit later",
    async () => {
      sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
      const r = await inNamespace(
        sb,
        String.raw`
mkfifo "$D/gate"
# The agent's tool shell runs the wrapper; the agent ($CLAUDE_PID, an ancestor of the wrapper) is then SIGKILLed.
cat > "$D/tool.sh" <<'EOF'
"$BUN" "$CLI" run -n prot -- bash -c 'read -r _ < "$0"; exit 7' "$D/gate" pytest
echo $? > "$D/wrapper.exit"
EOF
bash -c 'CLAUDE_PID=$$ bash "$D/tool.sh" & wait' & AGENT=$!
wait_until '[ -n "$(entry_field prot pid)" ]'
exec 3>&2 2>/dev/null
kill -9 $AGENT; wait $AGENT
exec 2>&3
echo "DRY $(sv reap --dry-run --json | tr -d '\n')"
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "STATE_AFTER_SWEEP $(entry_field prot state)"
echo "STOP_REASON $("$BUN" -e 'import { Database } from "bun:sqlite"; const db = new Database(process.argv.at(-1), { readonly: true }); console.log(JSON.stringify(db.query("SELECT stop_reason, ended_at FROM entries").all()))' "$SUPERVISE_HOME/ledger.db")"
echo go > "$D/gate"
wait_until '[ -s "$D/wrapper.exit" ]'
echo "WRAPPER_EXIT $(cat "$D/wrapper.exit")"
echo "LS $(sv ls --all --json | tr -d '\n')"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      // The plan judges it owner-dead, and leaves its protected process.
      expect(JSON.parse(r.values.get("DRY")!).targets).toEqual([]);
      expect(JSON.parse(r.values.get("REPORT")!).targets).toEqual([]);
      expect(r.values.get("STATE_AFTER_SWEEP")).toBe("running");
      expect(JSON.parse(r.values.get("STOP_REASON")!)).toEqual([{ stop_reason: null, ended_at: null }]);
      expect(r.values.get("WRAPPER_EXIT")).toBe("7");
      const [entry] = JSON.parse(r.values.get("LS")!);
      expect(entry).toMatchObject({ name: "prot", state: "exited", reason: null, exitCode: 7 });
    },
    60_000,
  );

  nsTest(
    "SessionEnd's stop counts only while its hook or follow-up lives: a follow-up killed before the command exits by itself leaves an exited end, not killed/session-end",
    async () => {
      sb = makeSandbox({ reap: { grace: "3s" } });
      const r = await inNamespace(
        sb,
        String.raw`
( export CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=S CLAUDE_PID=$BASHPID
  "$BUN" "$CLI" run -n late -- bash -c 'trap "" TERM; echo ready; sleep 1.5; exit 0' > "$D/late.out" & W=$!
  wait_until "grep -qs ready '$D/late.out'"
  printf '{"session_id":"S","cwd":"%s","hook_event_name":"SessionEnd","reason":"exit"}' "$D" | "$BUN" "$CLI" hook session-end > /dev/null
  # The detached follow-up dies before the command ends by itself.
  wait_until 'pgrep -f session-end-follow-up > /dev/null'
  kill -9 $(pgrep -f session-end-follow-up)
  wait $W; echo "EXIT $?"
)
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.values.get("EXIT")).toBe("0");
      const [entry] = JSON.parse(r.values.get("LEDGER")!);
      expect(entry).toMatchObject({ name: "late", state: "exited", exitCode: 0 });
    },
    60_000,
  );
});
