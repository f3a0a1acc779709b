// Pids are read in the pid namespace they were recorded in (issue 21, item 4): a sandbox
// (bwrap --unshare-pid, a container with the home mounted) shares the state dir, and from
// outside it every pid of its entries names another process. Nested namespaces inside the
// test's own: the scenario's namespace is the "parent", `unshare` makes the "child".

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rawRows } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

/**
 * Bash helpers: `$CHILD CMD...` runs CMD as pid 1 of a new pid namespace (its own /proc; run
 * in the background, $! is the unshare); `$SV` is the CLI as a command (the `sv` function
 * does not cross an exec); `entry_id` the one entry's id; `carrier ID COMM` the pid, here,
 * of the process COMM carrying the entry's cookie; `in_ns PID CMD...` runs CMD in PID's pid
 * namespace; `first_child PID` the first child of PID.
 */
const HELPERS = String.raw`
CHILD="unshare --pid --fork --kill-child --mount-proc"
SV="$BUN $CLI"
has_pid() { sv ls --json | grep -Eq '"pid": [0-9]'; }
entry_id() { sv ls --all --json | sed -n 's/^ *"id": "\([^"]*\)".*/\1/p' | head -1; }
carrier() {
  local f p
  for f in /proc/[0-9]*/environ; do
    p=${"$"}{f#/proc/}; p=${"$"}{p%/environ}
    grep -qzx "SUPERVISE_ID=$1" "$f" 2>/dev/null && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
  done
  return 1
}
# Its pid namespace, with a /proc of that namespace (an unshare's own mount namespace may hold its child's /proc).
in_ns() { local t=$1; shift; nsenter --target "$t" --pid -- unshare --mount --mount-proc "$@"; }
# Fails while PID has no child: a childless process's children file is empty, and cut succeeds on it.
first_child() { local c; c=$(cut -d' ' -f1 "/proc/$1/task/$1/children" 2>/dev/null) && [ -n "$c" ] && echo "$c"; }
oneline() { tr -d '\n'; }
`;

function json(values: Map<string, string>, key: string): any {
  const text = values.get(key);
  expect(text, `${key} printed`).toBeDefined();
  return JSON.parse(text!);
}

describe("an entry recorded in another pid namespace", () => {
  nsTest("a child namespace's live command is not ended by a sweep from the parent, and `ls` there shows it unknown", async () => {
    sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
    const r = await inNamespace(
      sb,
      HELPERS +
        String.raw`
# The agent's shell in the sandbox owns the command ($CLAUDE_PID, an ancestor of the wrapper):
# pid 2 there; here pid 2 is another process (this scenario), so from here the owner looks dead.
cat > "$D/agent.sh" <<'EOF'
CLAUDE_PID=$$ "$BUN" "$CLI" run -- sleep 1000
exit $?
EOF
$CHILD bash -c 'bash "$D/agent.sh"; exit $?' </dev/null >/dev/null 2>&1 &
UNSHARE=$!
wait_until 'first_child $UNSHARE >/dev/null 2>&1'
CHILD_INIT=$(first_child $UNSHARE)
wait_until has_pid
ID=$(entry_id)
wait_until "carrier $ID sleep >/dev/null"
SLEEP=$(carrier "$ID" sleep)
echo "PARENT_NS $(readlink /proc/self/ns/pid)"
echo "DRY $(sv reap --dry-run --json | oneline)"
echo "REAP $(sv reap --json | oneline)"
echo "ALIVE $(alive "$SLEEP")"
echo "LS $(sv ls --json | oneline)"
echo "LS_TEXT $(sv ls | grep "$ID")"
echo "CHILD_LS $(in_ns "$CHILD_INIT" $SV ls --json | oneline)"
`,
    );
    const v = r.values;
    const [row] = rawRows(sb);
    // What the scenario claims: recorded over there, with an owner that is pid 2 over there.
    expect(row.pid_namespace).not.toBeNull();
    expect(row.pid_namespace).not.toBe(v.get("PARENT_NS"));
    expect(row.owner_pid).toBe(2);
    for (const report of [json(v, "DRY"), json(v, "REAP")]) expect(report.targets).toEqual([]);
    expect(v.get("ALIVE")).toBe("yes");
    expect(json(v, "LS")).toEqual([expect.objectContaining({ id: row.id, state: "unknown", exitStatus: null })]);
    expect(v.get("LS_TEXT")).toMatch(/ unknown /);
    // In its own namespace it is what it is: running.
    expect(json(v, "CHILD_LS")).toEqual([expect.objectContaining({ id: row.id, state: "running" })]);
    expect(rawRows(sb)[0]).toMatchObject({ state: "running", ended_at: null, stop_reason: null });
    expect(r.stderr).toBe("");
  });

  nsTest("`gc`, `wait` and `logs --follow` from a child namespace: a live entry of the parent is never lost, and its real end (exit 0) is recorded", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      HELPERS +
        String.raw`
sv run --capture -- bash -c 'echo before; while [ ! -e "$D/go" ]; do sleep 0.02; done; echo after' >/dev/null 2>&1 &
RUN=$!
wait_until has_pid
ID=$(entry_id)
echo "GC $($CHILD $SV gc --json | oneline)"
echo "CHILD_LS $($CHILD $SV ls --json | oneline)"
# Longer than a lost entry takes to settle for wait (1 s).
$CHILD $SV wait "$ID" --timeout 1500ms >/dev/null 2>"$D/wait-timeout.err"; echo "WAIT_TIMEOUT $?"
echo "WAIT_TIMEOUT_ERR $(cat "$D/wait-timeout.err")"
$CHILD $SV wait "$ID" >/dev/null 2>&1 & WAITER=$!
$CHILD $SV logs --follow "$ID" >"$D/logs.out" 2>&1 & LOGGER=$!
# Both are in their loops: the waiter has the ledger open, the follower printed what was there.
waiting() { local p; p=$(first_child $WAITER 2>/dev/null) && ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'ledger.db$'; }
wait_until waiting
wait_until "grep -q before '$D/logs.out'"
touch "$D/go"
wait $RUN; echo "RUN_EXIT $?"
wait $WAITER; echo "WAITER_EXIT $?"
wait $LOGGER; echo "LOGGER_EXIT $?"
echo "LOGS $(oneline < "$D/logs.out")"
echo "FINAL $(sv ls --all --json | oneline)"
`,
    );
    const v = r.values;
    const id = rawRows(sb)[0].id;
    expect(json(v, "GC")).toEqual({ schemaVersion: 1, markedLost: [], removed: [], strayOutputs: 0 });
    expect(json(v, "CHILD_LS")).toEqual([expect.objectContaining({ id, state: "unknown" })]);
    expect(v.get("WAIT_TIMEOUT")).toBe("124");
    expect(v.get("WAIT_TIMEOUT_ERR")).toBe(`supervise: wait: timed out after 1500ms; no end recorded yet (another pid namespace): ${id}`);
    expect(v.get("RUN_EXIT")).toBe("0");
    expect(v.get("WAITER_EXIT")).toBe("0");
    expect(v.get("LOGGER_EXIT")).toBe("0");
    expect(v.get("LOGS")).toBe("beforeafter");
    expect(json(v, "FINAL")).toEqual([expect.objectContaining({ id, state: "exited", exitCode: 0, exitStatus: 0 })]);
    expect(r.stderr).toBe("");
  });
});

describe("a wrapper that is pid 1 of its own pid namespace", () => {
  /**
   * The outer namespace's pid 1 execs the `unshare` that forks the wrapper: both start within
   * a tick or so, so from outside the row's wrapper (pid 1, its start tick) names the outer
   * pid 1, alive, and usually with the very start tick recorded.
   */
  const NESTED = String.raw`
$CHILD bash -c 'exec unshare --pid --fork --kill-child --mount-proc "$BUN" "$CLI" run -- sleep 1000' </dev/null >/dev/null 2>&1 &
UNSHARE=$!
wait_until 'first_child $UNSHARE >/dev/null 2>&1'
OUTER=$(first_child $UNSHARE)
wait_until 'first_child $OUTER >/dev/null 2>&1'
WRAPPER=$(first_child $OUTER)
wait_until has_pid
ID=$(entry_id)
wait_until "carrier $ID sleep >/dev/null"
SLEEP=$(carrier "$ID" sleep)
echo "OUTER_TICKS $(stat_field $OUTER 20)"
echo "WRAPPER_TICKS $(stat_field $WRAPPER 20)"
`;

  nsTest("is unknown from the namespace around it and from the scenario's, and no sweep from either signals it", async () => {
    sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
    const r = await inNamespace(
      sb,
      HELPERS +
        NESTED +
        String.raw`
echo "OUTER_LS $(in_ns $OUTER $SV ls --json | oneline)"
echo "PARENT_LS $(sv ls --json | oneline)"
echo "OUTER_REAP $(in_ns $OUTER $SV reap --json | oneline)"
echo "PARENT_REAP $(sv reap --json | oneline)"
echo "ALIVE $(alive $WRAPPER)$(alive $SLEEP)"
echo "OWN_LS $(in_ns $WRAPPER $SV ls --json | oneline)"
`,
    );
    const v = r.values;
    const [row] = rawRows(sb);
    expect(row).toMatchObject({ wrapper_pid: 1, wrapper_start_ticks: Number(v.get("WRAPPER_TICKS")) });
    for (const key of ["OUTER_LS", "PARENT_LS"]) expect(json(v, key), key).toEqual([expect.objectContaining({ id: row.id, state: "unknown" })]);
    for (const key of ["OUTER_REAP", "PARENT_REAP"]) expect(json(v, key).targets, key).toEqual([]);
    expect(v.get("ALIVE")).toBe("yesyes");
    expect(json(v, "OWN_LS")).toEqual([expect.objectContaining({ id: row.id, state: "running" })]);
    expect(rawRows(sb)[0]).toMatchObject({ state: "running", ended_at: null, stop_reason: null });
    expect(r.stderr).toBe("");
  });

  nsTest("`kill` of it from outside says so in one line, exits 1, signals nothing and records nothing", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      HELPERS +
        NESTED +
        String.raw`
in_ns $OUTER $SV kill "$ID" >"$D/outer-kill.out" 2>&1; echo "OUTER_KILL $?"
# The report's row, under its header.
echo "OUTER_KILL_OUT $(tail -n +2 "$D/outer-kill.out")"
sv kill "$ID" >"$D/parent-kill.out" 2>&1; echo "PARENT_KILL $?"
echo "PARENT_KILL_OUT $(tail -n +2 "$D/parent-kill.out")"
echo "ALIVE $(alive $WRAPPER)$(alive $SLEEP)"
echo "AFTER_KILL $(sv ls --all --json | oneline)"
# Its own end, recorded by its own wrapper, stands.
kill -TERM $SLEEP
wait $UNSHARE
echo "FINAL $(sv ls --all --json | oneline)"
`,
    );
    const v = r.values;
    const id = rawRows(sb)[0].id;
    for (const key of ["OUTER_KILL", "PARENT_KILL"]) {
      expect(v.get(key), key).toBe("1");
      expect(v.get(`${key}_OUT`), key).toMatch(new RegExp(`^${id}\\b.*pid namespace[^\\n]*$`));
    }
    expect(v.get("ALIVE")).toBe("yesyes");
    expect(json(v, "AFTER_KILL")).toEqual([expect.objectContaining({ id, state: "unknown", endedAt: null })]);
    const [final] = json(v, "FINAL");
    expect(final).toMatchObject({ id, signal: "TERM" });
    expect(final.endedAt).not.toBeNull();
    expect(final.state).not.toBe("lost");
    // Nor did the refused kill leave its reason for the wrapper to record.
    expect(final.reason).not.toBe("manual");
    expect(r.stderr).toBe("");
  });
});

describe("a command that makes a pid namespace of its own (`unshare --pid --fork`)", () => {
  // The namespace's init is in the command's group, but ending it ends everything in that
  // namespace, kept or not: neither the deadline's group send nor an owner-dead sweep reaches it.
  const SCENARIO = String.raw`
"$BUN" "$CLI" run -n ns -d "$DEADLINE" -g 1s -- bash -c 'unshare --pid --fork bash -c "SUPERVISE_KEEP=1 setsid sleep 1001 </dev/null >/dev/null 2>&1 & exec sleep 1002"' </dev/null >/dev/null 2>&1 & W=$!
wait_until 'pgrep -f "^sleep 1001" >/dev/null && pgrep -f "^sleep 1002" >/dev/null'
KEPT=$(pgrep -f "^sleep 1001"); INIT=$(pgrep -f "^sleep 1002")
echo "INIT $INIT"
echo "INIT_NS $([ "$(readlink /proc/$INIT/ns/pid)" != "$(readlink /proc/self/ns/pid)" ] && echo other)"
`;

  nsTest("the deadline ends the command's own processes, not the init of the namespace it made, nor the kept process inside it", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      HELPERS +
        `DEADLINE=1s\n` +
        SCENARIO +
        String.raw`
wait $W; echo "EXIT $?"
echo "ALIVE $(alive $KEPT) $(alive $INIT)"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("INIT_NS")).toBe("other");
    // bash execs unshare, which ignores TERM while it waits for its child: the command itself needed SIGKILL.
    expect(r.values.get("EXIT")).toBe("137");
    expect(r.values.get("ALIVE")).toBe("yes yes");
  });

  nsTest("an owner-dead sweep leaves that init and what runs in its namespace", async () => {
    sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
    const r = await inNamespace(
      sb,
      HELPERS +
        `DEADLINE=0\n` +
        SCENARIO +
        String.raw`
exec 3>&2 2>/dev/null
kill -9 $W; wait $W
exec 2>&3
echo "REPORT $(sv reap --json | "$BUN" -e 'console.log((await Bun.stdin.json()).targets.map((t) => t.pid).join(","))')"
echo "ALIVE $(alive $KEPT) $(alive $INIT)"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("INIT_NS")).toBe("other");
    expect(r.values.get("INIT")).toMatch(/^\d+$/);
    expect(r.values.get("REPORT")!.split(",")).not.toContain(r.values.get("INIT"));
    expect(r.values.get("ALIVE")).toBe("yes yes");
  });

  nsTest("an owner-dead sweep ends the command that made the namespace, never its init nor what runs in it (no keep mark anywhere)", async () => {
    sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
    const r = await inNamespace(
      sb,
      HELPERS +
        String.raw`
"$BUN" "$CLI" run -n ns -d 0 -- unshare --pid --fork --mount-proc bash -c 'sleep 1003 & exec sleep 1004' </dev/null >/dev/null 2>&1 & W=$!
wait_until 'pgrep -f "^sleep 1003" >/dev/null && pgrep -f "^sleep 1004" >/dev/null'
INSIDE=$(pgrep -f "^sleep 1003"); INIT=$(pgrep -f "^sleep 1004")
exec 3>&2 2>/dev/null
kill -9 $W; wait $W
exec 2>&3
echo "TARGETS $(sv reap --json | "$BUN" -e 'console.log((await Bun.stdin.json()).targets.map((t) => t.name + ":" + t.reason).join(","))')"
echo "ALIVE $(alive $INIT) $(alive $INSIDE)"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("TARGETS")).toBe("unshare:owner-dead");
    expect(r.values.get("ALIVE")).toBe("yes yes");
  });
});

describe("a child pid namespace that kept its parent's /proc", () => {
  const SRC = join(import.meta.dir, "..", "..", "src", "proc");
  nsTest("is refused every signal, also where its pids line up with the ones /proc shows", async () => {
    sb = makeSandbox();
    writeFileSync(
      join(sb.dir, "probe.ts"),
      `import { readlinkSync } from "node:fs";
import { readNow } from ${JSON.stringify(join(SRC, "facts.ts"))};
import { identityOf } from ${JSON.stringify(join(SRC, "identity.ts"))};
import { ownLineage, signalProcess } from ${JSON.stringify(join(SRC, "signal.ts"))};
const victim = Bun.spawn(["sleep", "100"]);
const stat = readNow.stat(victim.pid);
console.log("ALIGNED", readlinkSync("/proc/self") === String(process.pid) && stat?.comm === "sleep");
console.log("SENT", signalProcess(identityOf(stat!), 18, ownLineage()));
victim.kill(9);
`,
    );
    // The scenario's namespace is quiet: from the child's last pid set to the parent's, every
    // pid (and thread id) the child allocates has the same number in both (`; exit` keeps bash
    // from exec'ing the probe in place of the child's init).
    const r = await inNamespace(sb, String.raw`
unshare --pid --fork bash -c 'P=$(readlink /proc/self); echo $P > /proc/sys/kernel/ns_last_pid; "$BUN" "$D/probe.ts"; exit $?'
`);
    expect(r.stderr).toBe("");
    expect([r.values.get("ALIGNED"), r.values.get("SENT")]).toEqual(["true", "refused"]);
  });
});
