// SessionEnd keeps what the lifecycle policy keeps inside an entry it ends: a tmux server the
// entry started and the shell inside it (reap.sessionKeep), and a process the user's
// reap.protect names (the loaded config's lists, not only the built-in ones). Inside a PID
// namespace, never against this machine's processes.

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

/** Bash: `end_session SESSION` runs the hook (reason exit) and prints `HOOK <stdout> <exit>`; `follow_ups_done` waits for its follow-up. */
const HELPERS = String.raw`
end_session() {
  printf '{"session_id":"%s","reason":"exit","cwd":"%s","hook_event_name":"SessionEnd"}' "$1" "$D" > "$D/end.json"
  echo "HOOK $(sv hook session-end < "$D/end.json" 2> "$D/hook.err") $? $(wc -c < "$D/hook.err")"
}
follow_ups_done() { wait_until '[ -z "$(pgrep -f session-end-follow-up)" ]'; }
`;

const scenario = (script: string): Promise<NamespaceResult> => inNamespace(sb!, HELPERS + script);

function ledgerByName(r: NamespaceResult): Map<string, any> {
  return new Map(JSON.parse(r.values.get("LEDGER")!).map((e: any) => [e.name, e]));
}

describe("SessionEnd leaves an entry's kept processes (inside a PID namespace)", () => {
  nsTest("an entry that started a tmux server: its command ends, the tmux server and the shell inside it live on", async () => {
    sb = makeSandbox({ reap: { grace: "500ms" } });
    const r = await scenario(String.raw`
unset TMUX
sv run --session s-tmux --name tm -- bash -c 'tmux -S "$D/sock" new -d "sleep 1000"; echo ready; exec sleep 1021' > "$D/tm.out" 2>&1 &
W=$!
wait_until 'grep -qs ready "$D/tm.out"'
read -r TMUX_SERVER PANE < <(tmux -S "$D/sock" list-panes -a -F '#{pid} #{pane_pid}')
CMD=$(pgrep -x -f 'sleep 1021')
echo "CARRIES $(tr '\0' '\n' < /proc/$TMUX_SERVER/environ | grep -c '^SUPERVISE_ID=')"
end_session s-tmux
wait $W; echo "EXIT $?"
follow_ups_done
for v in CMD TMUX_SERVER PANE; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
kill -KILL $TMUX_SERVER 2> /dev/null
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK")).toBe("{} 0 0");
    expect(r.values.get("EXIT")).toBe("143");
    // The server is the entry's own: it carries its cookie.
    expect(r.values.get("CARRIES")).toBe("1");
    expect(r.values.get("ALIVE_CMD")).toBe("no");
    expect(r.values.get("ALIVE_TMUX_SERVER")).toBe("yes");
    expect(r.values.get("ALIVE_PANE")).toBe("yes");
    expect(ledgerByName(r).get("tm")).toMatchObject({ state: "killed", reason: "session-end" });
  });

  nsTest("a process the user's reap.protect names, in the group of an entry SessionEnd ends, lives on", async () => {
    sb = makeSandbox({ reap: { grace: "500ms", protect: ["myserver"] } });
    const r = await scenario(String.raw`
ln -sf "$(command -v sleep)" "$D/s/myserver"
sv run --session s-prot --name prot -- bash -c '"$D/s/myserver" 1000 & echo $! > "$D/server.pid"; echo ready; exec sleep 1022' > "$D/prot.out" 2>&1 &
W=$!
wait_until 'grep -qs ready "$D/prot.out"'
SERVER=$(cat "$D/server.pid"); CMD=$(pgrep -x -f 'sleep 1022')
end_session s-prot
wait_until '[ "$(alive $CMD)" = no ]'
follow_ups_done
for v in CMD SERVER; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
{ kill -KILL $SERVER; wait $W; } 2> /dev/null
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK")).toBe("{} 0 0");
    expect(r.values.get("ALIVE_CMD")).toBe("no");
    expect(r.values.get("ALIVE_SERVER")).toBe("yes");
  });
});
