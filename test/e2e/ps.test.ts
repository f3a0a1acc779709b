// `supervise ps` inside a PID namespace: processes of a live and a dead session, a kept one,
// and a supervised command, as the contract's JSON and as the table.

import { afterEach, describe, expect, test } from "bun:test";
import { OwnedProcessListSchema } from "../helpers/contract.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

describe("supervise ps", () => {
  nsTest(
    "lists what belongs to agent sessions and entries, with the owner's state, grouped by session; --session filters",
    async () => {
      sb = makeSandbox({});
      const r = await inNamespace(
        sb,
        String.raw`
with_cookie() { local s=$1 o=$2; shift 2; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$s" CLAUDE_PID="$o" "$@"; }
sleep 1000 & LIVE_AGENT=$!
sleep 1000 & DEAD_AGENT=$!
LIVE=$(orphan with_cookie s-live $LIVE_AGENT sleep 1001)
DEAD=$(orphan with_cookie s-dead $DEAD_AGENT sleep 1002)
KEPT=$(orphan env SUPERVISE_KEEP=1 CLAUDE_CODE_SESSION_ID=s-live CLAUDE_PID=$LIVE_AGENT sleep 1003)
PLAIN=$(orphan sleep 1004)
"$BUN" "$CLI" run -n served --session s-live -- sleep 1005 & W=$!
wait_until '[ -n "$(sv ls --json | grep '"'"'"pid": [0-9]'"'"')" ]'
exec 3>&2 2>/dev/null; kill -9 $DEAD_AGENT; wait $DEAD_AGENT; exec 2>&3
echo "PIDS {\"live\":$LIVE,\"dead\":$DEAD,\"kept\":$KEPT,\"plain\":$PLAIN,\"liveAgent\":$LIVE_AGENT,\"deadAgent\":$DEAD_AGENT}"
echo "JSON $(sv ps --json | tr -d '\n')"
echo "ONLY $(sv ps --session s-dead --json | tr -d '\n')"
COLUMNS=200 sv ps > "$D/table.txt"; echo "TABLE_EXIT $?"
kill $W; wait $W 2>/dev/null; true
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const pids = JSON.parse(v.get("PIDS")!);
      const rows = OwnedProcessListSchema.parse(JSON.parse(v.get("JSON")!));
      const byPid = new Map(rows.map((row) => [row.pid, row]));
      expect(byPid.get(pids.live)).toMatchObject({ agent: "claude-code", session: "s-live", ownerPid: pids.liveAgent, owner: "alive", ledgerId: null, orphaned: true, keep: false, command: "sleep 1001", pidNamespace: "same" });
      expect(byPid.get(pids.dead)).toMatchObject({ session: "s-dead", ownerPid: pids.deadAgent, owner: "gone", orphaned: true, command: "sleep 1002" });
      expect(byPid.get(pids.kept)).toMatchObject({ session: "s-live", keep: true });
      expect(byPid.has(pids.plain)).toBe(false);
      const served = rows.find((row) => row.command === "sleep 1005")!;
      expect(served).toMatchObject({ session: "s-live", ledgerId: expect.stringMatching(/^[0-9a-z]{10}$/), orphaned: false });
      expect(OwnedProcessListSchema.parse(JSON.parse(v.get("ONLY")!)).map((row) => row.pid)).toEqual([pids.dead]);
      expect(v.get("TABLE_EXIT")).toBe("0");
      const table = await Bun.file(`${sb.dir}/table.txt`).text();
      expect(table).toContain(`session s-live (claude-code), owner ${pids.liveAgent} alive`);
      expect(table).toContain(`session s-dead (claude-code), owner ${pids.deadAgent} gone`);
      expect(table).toMatch(/PID +AGE +CPU +RSS +ENTRY +KEEP +COMMAND/);
      expect(table).toContain("sleep 1002 (orphaned)");
    },
    60_000,
  );
  nsTest(
    "every listed row's pid namespace is read: a live agent's own child is judged alive; the header comes from the whole session, as --json says",
    async () => {
      sb = makeSandbox({});
      const r = await inNamespace(
        sb,
        String.raw`
# The session's first row is a supervise entry that names no owner; the agent's own child (not orphaned) does.
"$BUN" "$CLI" run -n first --session s-child -- sleep 1009 & W=$!
wait_until '[ -n "$(sv ls --json | grep '"'"'"pid": [0-9]'"'"')" ]'
CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-child CLAUDE_PID=$$ sleep 1008 & CHILD=$!
echo "PIDS {\"child\":$CHILD,\"agent\":$$}"
echo "JSON $(sv ps --json | tr -d '\n')"
COLUMNS=200 sv ps > "$D/table.txt"
kill $W $CHILD; wait $W $CHILD 2>/dev/null; true
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const pids = JSON.parse(r.values.get("PIDS")!);
      const rows = OwnedProcessListSchema.parse(JSON.parse(r.values.get("JSON")!));
      const served = rows.find((row) => row.command === "sleep 1009")!;
      const child = rows.find((row) => row.pid === pids.child)!;
      expect(served).toMatchObject({ session: "s-child", ownerPid: null, owner: "unknown", pidNamespace: "same" });
      expect(child).toMatchObject({ agent: "claude-code", session: "s-child", ownerPid: pids.agent, owner: "alive", orphaned: false, pidNamespace: "same" });
      expect(rows.indexOf(served)).toBeLessThan(rows.indexOf(child));
      const table = await Bun.file(`${sb.dir}/table.txt`).text();
      expect(table).toContain(`session s-child (claude-code), owner ${pids.agent} alive\n`);
    },
    60_000,
  );

  nsTest(
    "a Codex session's header names its recorded owner as --json does; a process in another pid namespace is not judged, and ps says so",
    async () => {
      sb = makeSandbox({});
      const r = await inNamespace(
        sb,
        String.raw`
# A stand-in for Codex: it runs its SessionStart hook (which records it as the thread's owner), then a tool command carrying the thread id.
python3 -c '
import os, subprocess, time
hook = [os.environ["BUN"], os.environ["CLI"], "hook", "--agent", "codex", "session-start"]
with open(os.environ["D"] + "/hook.out", "wb") as out:
    subprocess.run(hook, input=b"{\"session_id\":\"t-1\",\"hook_event_name\":\"SessionStart\"}", stdout=out)
subprocess.Popen(["sleep", "1006"], env=dict(os.environ, CODEX_THREAD_ID="t-1"))
time.sleep(1000)
' & CODEX=$!
wait_until 'pgrep -xf "sleep 1006" > /dev/null'
# Pid namespaces of their own: pids their cookies name mean nothing here.
# (unshare's complaint when its child is KILLed at the end is not this test's business.)
unshare --pid --fork --mount-proc env CODEX_THREAD_ID=t-1 sleep 1007 2>/dev/null & U1=$!
unshare --pid --fork --mount-proc env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=s-in CLAUDE_PID=$$ sleep 1010 2>/dev/null & U2=$!
wait_until 'pgrep -xf "sleep 1007" > /dev/null && pgrep -xf "sleep 1010" > /dev/null'
TOOL=$(pgrep -xf 'sleep 1006'); INNER=$(pgrep -xf 'sleep 1007'); INNER_CLAUDE=$(pgrep -xf 'sleep 1010')
echo "PIDS {\"codex\":$CODEX,\"tool\":$TOOL,\"inner\":$INNER,\"innerClaude\":$INNER_CLAUDE,\"agent\":$$}"
echo "HOOK $(cat "$D/hook.out")"
echo "JSON $(sv ps --json | tr -d '\n')"
COLUMNS=200 sv ps > "$D/table.txt"
# unshare ignores TERM while it waits, and a namespace's init takes only KILL from outside: end those, and unshare follows.
kill -KILL $INNER $INNER_CLAUDE; kill $TOOL $CODEX; wait $U1 $U2 $CODEX 2>/dev/null; true
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.values.get("HOOK")!).hookSpecificOutput.hookEventName).toBe("SessionStart");
      const pids = JSON.parse(r.values.get("PIDS")!);
      const byPid = new Map(OwnedProcessListSchema.parse(JSON.parse(r.values.get("JSON")!)).map((row) => [row.pid, row]));
      expect(byPid.get(pids.tool)).toMatchObject({ agent: "codex", session: "t-1", ownerPid: pids.codex, owner: "alive", pidNamespace: "same" });
      expect(byPid.get(pids.inner)).toMatchObject({ agent: "codex", session: "t-1", owner: "unknown", pidNamespace: "other", command: "sleep 1007" });
      expect(byPid.get(pids.innerClaude)).toMatchObject({ session: "s-in", ownerPid: pids.agent, owner: "unknown", pidNamespace: "other" });
      const table = await Bun.file(`${sb.dir}/table.txt`).text();
      expect(table).toContain(`session t-1 (codex), owner ${pids.codex} alive; not judged for 1 process in another (or unreadable) pid namespace\n`);
      expect(table).toContain("session s-in (claude-code), owner unknown; not judged for 1 process in another (or unreadable) pid namespace\n");
      expect(table).toContain("sleep 1007 (another pid namespace)");
    },
    60_000,
  );

  nsTest(
    "the activity of each row: an entry's processes carry its wrapper's judgement (stalled); a session's own listener is serving, with its port",
    async () => {
      sb = makeSandbox({ run: { stallAfter: "1s" } });
      const r = await inNamespace(
        sb,
        String.raw`
sleep 1000 & AGENT=$!
"$BUN" "$CLI" run -n idle --session s-live -- sleep 1005 & W=$!
SERVER=$(orphan env CLAUDE_CODE_SESSION_ID=s-live CLAUDE_PID=$AGENT python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); open("'"$D"'/port", "w").write(str(s.getsockname()[1])); time.sleep(100)')
wait_until '[ -s "$D/port" ] && [ "$(entry_field idle activity)" = stalled ]'
echo "IDLE $(entry_field idle pid)"
echo "SERVER $SERVER"
echo "PORT $(cat "$D/port")"
echo "JSON $(sv ps --json | tr -d '\n')"
COLUMNS=200 sv ps > "$D/table.txt"
kill $W $AGENT; wait $W 2>/dev/null; true
`,
        60_000,
      );
      expect(r.stderr).toBe("");
      const rows = OwnedProcessListSchema.parse(JSON.parse(r.values.get("JSON")!));
      const idle = rows.find((row) => row.pid === Number(r.values.get("IDLE")))!;
      expect(idle).toMatchObject({ activity: "stalled", ports: [] });
      expect(Date.parse(idle.activitySince!)).toBeLessThanOrEqual(Date.now() - 1000);
      const server = rows.find((row) => row.pid === Number(r.values.get("SERVER")))!;
      expect(server).toMatchObject({ ledgerId: null, activity: "serving", activitySince: null, ports: [Number(r.values.get("PORT"))] });
      const table = require("node:fs").readFileSync(`${sb.dir}/table.txt`, "utf8");
      expect(table).toMatch(/ stalled \d+s /);
      expect(table).toContain(`serving :${r.values.get("PORT")}`);
    },
    60_000,
  );
});
