// SessionEnd ends only what the ending agent owns, and its follow-up finishes only what the
// hook signalled. Fake agents are bash processes that run what is written to their fifo, so
// a hook runs as the agent's descendant with CLAUDE_PID naming it, as Claude Code runs one.
// Everything happens inside a PID namespace, never against this machine's processes.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { inNamespace, namespaceUnavailable, type NamespaceResult } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});
const nsTest = namespaceUnavailable ? test.skip : test;

/**
 * Bash: `agent NAME` starts a fake CLI ($AGENT_NAME) that evals each line `as_agent NAME LINE`
 * writes to it, in its own shell (so $$ is the agent). `cookie SESSION` prints the prefix that
 * gives a command the session's variables, CLAUDE_PID naming its agent. `session_end NAME
 * SESSION [THEN]` runs the SessionEnd hook inside the agent (then THEN there) and prints
 * `HOOK_NAME <stdout> <exit> <stderr bytes>`. `server SESSION OWNER CMD...` starts a detached
 * server (own session, reparented to init). `follow_ups_done` waits until no follow-up runs.
 */
const HELPERS = String.raw`
ln -sf "$(command -v sleep)" "$D/s/node"
agent() {
  mkfifo "$D/$1.fifo"
  # Read-write, so the fifo never reaches end of file between two writers.
  bash -c 'exec 3<> "$0"; while read -r line <&3; do eval "$line"; done' "$D/$1.fifo" &
  eval "AGENT_$1=$!"
}
as_agent() { printf '%s\n' "$2" > "$D/$1.fifo"; }
cookie() { echo "env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=$1 CLAUDE_PID=\$\$"; }
session_end() {
  printf '{"session_id":"%s","reason":"exit","cwd":"%s","hook_event_name":"SessionEnd"}' "$2" "$D" > "$D/end-$1.json"
  as_agent "$1" "$(cookie "$2") \"\$BUN\" \"\$CLI\" hook session-end < '$D/end-$1.json' > '$D/hook-$1.out' 2> '$D/hook-$1.err'; echo \$? >> '$D/hook-$1.out'; ${"$"}{3:-}"
  wait_until "[ \$(wc -l 2> /dev/null < '$D/hook-$1.out' || echo 0) -ge 2 ]"
  echo "HOOK_$1 $(tr '\n' ' ' < "$D/hook-$1.out")$(wc -c < "$D/hook-$1.err")"
}
follow_ups_done() { wait_until '[ -z "$(pgrep -f session-end-follow-up)" ]'; }
server() { orphan setsid env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$1" CLAUDE_PID="$2" "${"$"}{@:3}"; }
`;

const scenario = (script: string): Promise<NamespaceResult> => inNamespace(sb!, HELPERS + script);

/** The ledger rows by name, from the LEDGER line (`ls --all --json`). */
function ledgerByName(r: NamespaceResult): Map<string, any> {
  return new Map(JSON.parse(r.values.get("LEDGER")!).map((e: any) => [e.name, e]));
}

/** The log's lines with this msg. */
function logLines(r: NamespaceResult, msg: string): any[] {
  return r.values.get("LOG")!.split("\t").filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.msg === msg);
}

const DUMP_LOG = String.raw`echo "LOG $(tr '\n' '\t' < "$SUPERVISE_HOME/supervise.log")"`;

describe("SessionEnd with two live agents sharing a session id (inside a PID namespace)", () => {
  nsTest("B's SessionEnd ends B's detached server and B's entry; A's detached server and A's entry live on while A lives", async () => {
    sb = makeSandbox({ reap: { grace: "500ms" } });
    const r = await scenario(String.raw`
agent A; agent B
A_SERVER=$(server shared $AGENT_A "$D/s/node" 1001)
B_SERVER=$(server shared $AGENT_B "$D/s/node" 1002)
# Each agent's supervised command: $CLAUDE_PID names the agent, an ancestor of the wrapper.
entry() { as_agent $1 "$(cookie shared) \"\$BUN\" \"\$CLI\" run --session shared --name entry-$1 -- bash -c 'echo ready; exec sleep $2' > '$D/entry-$1.out' 2>&1 &"; }
entry A 1011; entry B 1012
wait_until "grep -qs ready '$D/entry-A.out' && grep -qs ready '$D/entry-B.out'"
A_CMD=$(pgrep -x -f 'sleep 1011'); B_CMD=$(pgrep -x -f 'sleep 1012')
session_end B shared
follow_ups_done
wait_until '[ "$(alive $B_CMD)" = no ]'
for v in A_SERVER A_CMD AGENT_A B_SERVER B_CMD AGENT_B; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
echo "PIDS $AGENT_A $AGENT_B $A_SERVER $B_SERVER"
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
echo "OWNER_A $(sqlite3 "$SUPERVISE_HOME/ledger.db" "SELECT owner_pid FROM entries WHERE name = 'entry-A'")"
${DUMP_LOG}
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK_B")).toBe("{} 0 0");
    const [agentA, agentB, , bServer] = r.values.get("PIDS")!.split(" ").map(Number);
    for (const v of ["A_SERVER", "A_CMD", "AGENT_A", "AGENT_B"]) expect(`${v} ${r.values.get(`ALIVE_${v}`)}`).toBe(`${v} yes`);
    for (const v of ["B_SERVER", "B_CMD"]) expect(`${v} ${r.values.get(`ALIVE_${v}`)}`).toBe(`${v} no`);
    const ledger = ledgerByName(r);
    // The wrapper took its owner from CLAUDE_PID: agent A, alive.
    expect(Number(r.values.get("OWNER_A"))).toBe(agentA!);
    expect(ledger.get("entry-A")).toMatchObject({ state: "running", reason: null });
    expect(ledger.get("entry-B")).toMatchObject({ state: "killed", reason: "session-end" });
    const [hook] = logLines(r, "session end");
    expect(hook).toMatchObject({ session: "shared", agent: agentB, stopping: [ledger.get("entry-B").id], leftovers: [bServer] });
  });
});

describe("the SessionEnd follow-up finishes only what the hook signalled (inside a PID namespace)", () => {
  nsTest("a TERM-ignoring leftover is killed after reap.grace; the agent's own child, an orphan once the agent exits right after its hook, is left", async () => {
    sb = makeSandbox({ reap: { grace: "500ms" } });
    const r = await scenario(String.raw`
mkfifo "$D/hold.fifo"
agent A
# The agent's own child (an MCP server, a tool shell): its cookie names the agent.
as_agent A "$(cookie s1) '$D/s/node' 1003 & echo \$! > '$D/child.pid'"
wait_until '[ -s "$D/child.pid" ]'
CHILD=$(cat "$D/child.pid")
STUBBORN=$(server s1 $AGENT_A "$D/b/rg" -c 'trap "" TERM; echo > "$0.ready"; exec 3<> "$0"; read -r _ <&3' "$D/hold.fifo")
wait_until '[ -e "$D/hold.fifo.ready" ]'
# The agent exits right after its hook, as a CLI does: its child is then reparented to init.
session_end A s1 exit
wait $AGENT_A
echo "CHILD_PARENT $(stat_field $CHILD 2)"
wait_until '[ "$(alive $STUBBORN)" = no ]'
follow_ups_done
for v in CHILD STUBBORN; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
echo "PIDS $AGENT_A $STUBBORN $CHILD"
${DUMP_LOG}
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK_A")).toBe("{} 0 0");
    const [agent, stubborn] = r.values.get("PIDS")!.split(" ").map(Number);
    expect(r.values.get("ALIVE_STUBBORN")).toBe("no");
    expect(r.values.get("ALIVE_CHILD")).toBe("yes");
    // An orphan carrying the session's cookie once its agent exited: the next SessionStart's to judge.
    expect(r.values.get("CHILD_PARENT")).toBe("1");
    expect(logLines(r, "session end")).toMatchObject([{ session: "s1", agent, stopping: [], leftovers: [stubborn] }]);
    expect(logLines(r, "session leftover ended").map((l) => [l.pid, l.reason, l.action])).toEqual([[stubborn, "session-end", "killed"]]);
  });
});
