// `supervise ps --port` and `kill --port` with real listening sockets, inside a PID namespace
// (issue 24): a dead session's server and the caller's own are freed; a live other session's,
// a kept one and one no session started are refused with their owner named.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

/** A server on a free port of 127.0.0.1 (the network is the machine's: never a fixed port), which writes the port to $1. */
const SERVER = String.raw`
printf 'import socket, sys, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()\nopen(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); __import__("os").rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(1000)\n' > "$D/server.py"
serve() { local name=$1; shift; orphan env "$@" python3 "$D/server.py" "$D/$name.port" > /dev/null; wait_until "[ -s '$D/$name.port' ]"; cat "$D/$name.port"; }
`;

describe("ports, inside a PID namespace", () => {
  nsTest(
    "kill --port frees a dead session's server and the caller's own; refuses a live other session's, a kept one and one no session started, naming each owner",
    async () => {
      sb = makeSandbox();
      const r = await inNamespace(
        sb,
        SERVER +
          String.raw`
sleep 1000 & DEAD_AGENT=$!
sleep 1000 & LIVE_AGENT=$!
sleep 1000 & MY_AGENT=$!
P_DEAD=$(serve dead CLAUDE_CODE_SESSION_ID=dead-session-1 CLAUDE_PID=$DEAD_AGENT)
P_LIVE=$(serve live CLAUDE_CODE_SESSION_ID=live-session-2 CLAUDE_PID=$LIVE_AGENT)
P_MINE=$(serve mine CLAUDE_CODE_SESSION_ID=my-session-3 CLAUDE_PID=$MY_AGENT)
P_KEPT=$(serve kept CLAUDE_CODE_SESSION_ID=my-session-3 CLAUDE_PID=$MY_AGENT SUPERVISE_KEEP=1)
P_NOBODY=$(serve nobody HOME=$HOME)
kill $DEAD_AGENT; wait $DEAD_AGENT 2>/dev/null
echo "PS_LIVE $(sv ps --port $P_LIVE --json | tr -d '\n')"
echo "PS_NOBODY $(sv ps --port $P_NOBODY --json | tr -d '\n')"
echo "PS_TEXT $P_NOBODY $(sv ps --port $P_NOBODY | tr '\n' '|')"
sv kill --port $P_DEAD > "$D/dead.out" 2> "$D/dead.err"; echo "DEAD_EXIT $?"
echo "DEAD_OUT $(tr '\n' '|' < "$D/dead.out")"
sv kill --port $P_LIVE > "$D/live.out" 2> "$D/live.err"; echo "LIVE_EXIT $?"
echo "LIVE_ERR $(cat "$D/live.err")"
echo "LIVE_OUT $(cat "$D/live.out")"
sv kill --port $P_NOBODY > /dev/null 2> "$D/nobody.err"; echo "NOBODY_EXIT $?"
echo "NOBODY_ERR $(cat "$D/nobody.err")"
CLAUDE_CODE_SESSION_ID=my-session-3 sv kill --port $P_KEPT > /dev/null 2> "$D/kept.err"; echo "KEPT_EXIT $?"
echo "KEPT_ERR $(cat "$D/kept.err")"
CLAUDE_CODE_SESSION_ID=my-session-3 sv kill --port $P_MINE --json > "$D/mine.json"; echo "MINE_EXIT $?"
echo "MINE $(tr -d '\n' < "$D/mine.json")"
sv kill --port $P_LIVE --session '' > /dev/null 2> "$D/empty.err"; echo "EMPTY_EXIT $?"
echo "EMPTY_ERR $(cat "$D/empty.err")"
CLAUDE_CODE_SESSION_ID=live sv kill --port $P_LIVE > /dev/null 2> "$D/prefix.err"; echo "PREFIX_EXIT $?"
echo "PREFIX_ERR $(cat "$D/prefix.err")"
CLAUDE_CODE_SESSION_ID=my-session-3 sv kill --port $P_LIVE --session live-session-2 > /dev/null 2> "$D/claim.err"; echo "CLAIM_EXIT $?"
echo "CLAIM_ERR $(cat "$D/claim.err")"
sv kill --port $P_LIVE --session live-session-2 > "$D/named.out" 2> "$D/named.err"; echo "NAMED_EXIT $?"
echo "NAMED_ERR $(cat "$D/named.err")"
for p in $(sv ps --port $P_NOBODY --json | "$BUN" -e 'for (const r of await Bun.stdin.json()) console.log(r.pid)') $(sv ps --port $P_KEPT --json | "$BUN" -e 'for (const r of await Bun.stdin.json()) console.log(r.pid)'); do kill $p; done
kill $LIVE_AGENT $MY_AGENT
`,
        60_000,
      );
      expect(r.stderr).toBe("");
      const v = (key: string) => r.values.get(key) ?? "";
      const live = JSON.parse(v("PS_LIVE"));
      expect(live).toHaveLength(1);
      expect(live[0]).toMatchObject({ agent: "claude-code", session: "live-session-2", owner: "alive", ledgerId: null });
      expect(JSON.parse(v("PS_NOBODY"))[0]).toMatchObject({ agent: null, session: null, ledgerId: null, command: expect.stringContaining("server.py") });

      const [nobodyPort, text] = [v("PS_TEXT").split(" ")[0], v("PS_TEXT").slice(v("PS_TEXT").indexOf(" ") + 1)];
      expect(text).toStartWith("no agent session|");
      expect(text).toMatch(/PORTS/);
      expect(text).toContain(`:${nobodyPort}`);
      expect(v("DEAD_EXIT")).toBe("0");
      expect(v("DEAD_OUT")).toMatch(/^pid \d+ "[^"]*python3[^"]*" \(session dead-session-1\): terminated\|port \d+ is free\|$/);
      expect(v("LIVE_EXIT")).toBe("1");
      expect(v("LIVE_ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3[^"]*" of live Claude Code session live-ses… \(pid \d+\); not ended$/);
      expect(v("LIVE_OUT")).toMatch(/^port \d+ is still held$/);
      expect(v("NOBODY_EXIT")).toBe("1");
      expect(v("NOBODY_ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3[^"]*", not started by any agent session or supervise entry; not ended$/);
      expect(v("KEPT_EXIT")).toBe("1");
      expect(v("KEPT_ERR")).toMatch(/ of live Claude Code session my-session-3 \(pid \d+\), kept by SUPERVISE_KEEP=1; not ended$/);
      expect(v("MINE_EXIT")).toBe("0");
      expect(JSON.parse(v("MINE"))).toMatchObject({ free: true, holders: [{ session: "my-session-3", outcome: "terminated", signal: "TERM", why: null }] });
      // An empty --session, a prefix of the live session (as its refusal line shows it) and a claim the environment's cookie contradicts end nothing.
      expect([v("EMPTY_EXIT"), v("EMPTY_ERR")]).toEqual(["2", "supervise: --session: empty (with --port it is the caller's own session's full id)"]);
      expect(v("PREFIX_EXIT")).toBe("1");
      expect(v("PREFIX_ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3[^"]*" of live Claude Code session live-ses… \(pid \d+\); not ended$/);
      expect([v("CLAIM_EXIT"), v("CLAIM_ERR")]).toEqual(["2", "supervise: --session 'live-session-2' is not this environment's session 'my-session-3': kill --port ends only the caller's own holders"]);
      // Named with --session where the environment names none, a session is the caller's only when its recorded agent is the caller's ancestor.
      expect([v("NAMED_EXIT"), v("NAMED_ERR")]).toEqual(["1", "supervise: --session 'live-session-2': no process this one runs under is that session's agent, as its SessionStart hook recorded it; kill --port ends only the caller's own holders"]);
    },
    60_000,
  );

  nsTest("--session without a cookie (Gemini CLI's shells): the session whose recorded agent runs the caller frees its server; another session's is refused", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      SERVER +
        String.raw`
sleep 1000 & OTHER_AGENT=$!
P_OTHER=$(serve other CLAUDE_CODE_SESSION_ID=other-session CLAUDE_PID=$OTHER_AGENT)
printf '{"session_id":"gem-session","hook_event_name":"SessionStart","source":"startup","cwd":"%s"}' "$D" > "$D/start.json"
# The agent: a process that is not a shell, running its tools through bash, as Gemini CLI does.
export BUN CLI D P_OTHER; export -f sv orphan wait_until
python3 -c 'import subprocess, sys; sys.exit(subprocess.run(["bash", "-c", sys.argv[1]]).returncode)' "$(cat <<'AGENT'
GEMINI_CLI=1 sv hook --agent gemini session-start < "$D/start.json" > /dev/null
orphan sv run --session gem-session -- python3 "$D/server.py" "$D/gem.port" > /dev/null
wait_until '[ -s "$D/gem.port" ]'
GEMINI_CLI=1 sv kill --port $(cat "$D/gem.port") --session gem-session > "$D/gem.out" 2>&1; echo "GEM_EXIT $?"
echo "GEM_OUT $(tr '
' '|' < "$D/gem.out")"
GEMINI_CLI=1 sv kill --port $P_OTHER --session other-session > /dev/null 2> "$D/other.err"; echo "OTHER_EXIT $?"
echo "OTHER_ERR $(cat "$D/other.err")"
# A SessionStart record made up for the other session's id, by this agent: still not that (Claude Code) session.
sed 's/gem-session/other-session/' "$D/start.json" | GEMINI_CLI=1 sv hook --agent gemini session-start > /dev/null
GEMINI_CLI=1 sv kill --port $P_OTHER --session other-session > /dev/null 2> "$D/spoof.err"; echo "SPOOF_EXIT $?"
echo "SPOOF_ERR $(cat "$D/spoof.err")"
# The same made up as Claude Code's record: the agent's name matches, its process is not the holder's owner.
sed 's/gem-session/other-session/' "$D/start.json" | sv hook --agent claude-code session-start > /dev/null
GEMINI_CLI=1 sv kill --port $P_OTHER --session other-session > /dev/null 2> "$D/spoof2.err"; echo "SPOOF2_EXIT $?"
echo "SPOOF2_ERR $(cat "$D/spoof2.err")"
AGENT
)"
kill $OTHER_AGENT
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("GEM_EXIT")).toBe("0");
    expect(r.values.get("GEM_OUT")).toMatch(/^pid \d+ "[^"]*python3[^"]*" \(entry [0-9a-z]{10}\): terminated\|port \d+ is free\|$/);
    expect(r.values.get("OTHER_EXIT")).toBe("1");
    expect(r.values.get("SPOOF_EXIT")).toBe("1");
    expect(r.values.get("SPOOF_ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3[^"]*" of live Claude Code session other-se… \(pid \d+\); not ended$/);
    expect([r.values.get("SPOOF2_EXIT"), r.values.get("SPOOF2_ERR")]).toEqual(["1", r.values.get("SPOOF_ERR")]);
    expect(r.values.get("OTHER_ERR")).toBe("supervise: --session 'other-session': no process this one runs under is that session's agent, as its SessionStart hook recorded it; kill --port ends only the caller's own holders");
  });

  nsTest("the caller's own server below the user's tmux (no cookie, in reap.sessionKeep): freed; tmux keeps only what its own owner runs", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      SERVER +
        String.raw`
cp "$(command -v bash)" "$D/tmux"
# The user's tmux server, and inside it the agent (a sleep) and a server of the agent's session.
orphan "$D/tmux" -c "sleep 1000 & echo \$! > '$D/agent.pid'; env CLAUDE_CODE_SESSION_ID=in-tmux CLAUDE_PID=\$(cat '$D/agent.pid') python3 '$D/server.py' '$D/mine.port'; wait" > /dev/null
wait_until '[ -s "$D/mine.port" ]'
A=$(cat "$D/agent.pid")
echo "KEEP $(CLAUDE_CODE_SESSION_ID=in-tmux sv ps --port $(cat "$D/mine.port") --json | "$BUN" -e 'console.log((await Bun.stdin.json())[0]?.keptBy ?? "none")')"
CLAUDE_CODE_SESSION_ID=in-tmux CLAUDE_PID=$A sv kill --port $(cat "$D/mine.port") > "$D/out" 2>&1; echo "EXIT $?"
echo "OUT $(tr '
' '|' < "$D/out")"
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("KEEP")).toBe("none");
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("OUT")).toMatch(/^pid \d+ "[^"]*python3[^"]*" \(session in-tmux\): terminated\|port \d+ is free\|$/);
  });

  nsTest("kill --port on a port the caller's own ancestor holds: refused as what runs this command, nothing signalled", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      String.raw`
export BUN CLI
# A process of the session listens and runs kill --port itself: ending the holder would end the caller.
CLAUDE_CODE_SESSION_ID=self-session python3 -c '
import os, socket, subprocess
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
port = str(s.getsockname()[1])
r = subprocess.run([os.environ["BUN"], os.environ["CLI"], "kill", "--port", port], env={**os.environ, "CLAUDE_CODE_SESSION_ID": "self-session"}, capture_output=True, text=True)
print("EXIT", r.returncode); print("ERR", r.stderr.strip().replace(chr(10), "|")); print("OUT", r.stdout.strip().replace(chr(10), "|"))
' 
echo "AFTER alive"
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("1");
    expect(r.values.get("ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3 -c[^"]*", which runs this command; not ended$/);
    expect(r.values.get("OUT")).toMatch(/^port \d+ is still held$/);
    expect(r.values.get("AFTER")).toBe("alive");
  });

  nsTest("a second agent's server inside another session's entry (it carries that entry's cookie): its kill --port ends nothing of the entry", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      SERVER +
        String.raw`
sleep 1000 & S1_AGENT=$!
# Session s1's entry runs a sub-agent of session s2 (a sleep as its agent process), which starts a server.
CLAUDE_CODE_SESSION_ID=s1 CLAUDE_PID=$S1_AGENT sv run -n outer --session s1 -- bash -c "sleep 1001 & exec bash -c 'CLAUDE_CODE_SESSION_ID=s2 CLAUDE_PID=\$\$ python3 $D/server.py $D/inner.port & wait'" > /dev/null 2>&1 &
wait_until '[ -s "$D/inner.port" ]'
P=$(cat "$D/inner.port")
S2_AGENT=$(sv ps --port $P --json | "$BUN" -e 'console.log((await Bun.stdin.json())[0].ownerPid)')
CLAUDE_CODE_SESSION_ID=s2 CLAUDE_PID=$S2_AGENT sv kill --port $P > "$D/out" 2> "$D/err"; echo "EXIT $?"
echo "ERR $(cat "$D/err")"
echo "OUTER $(entry_field outer state)"
echo "SLEEP $(pgrep -x -f 'sleep 1001' > /dev/null && echo alive || echo gone)"
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT")).toBe("1");
    expect(r.values.get("ERR")).toMatch(/^port \d+ is held by pid \d+ "[^"]*python3[^"]*".*; not ended/);
    expect([r.values.get("OUTER"), r.values.get("SLEEP")]).toEqual(["running", "alive"]);
  });

  nsTest("a supervise entry of no agent session holding a port (a prefork server: two processes, one socket) is ended as kill ID would; ps --port names both", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      String.raw`
printf 'import os, socket, sys, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); os.fork()\nif os.getpid() != os.getpgrp(): time.sleep(1000)\nopen(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1]); time.sleep(1000)\n' > "$D/prefork.py"
sv run -n web -- python3 "$D/prefork.py" "$D/web.port" > /dev/null 2>&1 &
wait_until '[ -s "$D/web.port" ]'
P=$(cat "$D/web.port")
echo "PS $(sv ps --port $P --json | tr -d '\n')"
sv kill --port $P > "$D/out" 2>&1; echo "EXIT $?"
echo "OUT $(tr '\n' '|' < "$D/out")"
wait_until '[ "$(entry_field web state)" != running ]'
echo "ENTRY $(entry_field web state) $(entry_field web reason)"
`,
      60_000,
    );
    expect(r.stderr).toBe("");
    const ps = JSON.parse(r.values.get("PS")!);
    expect(ps.map((row: { ledgerId: string | null }) => row.ledgerId !== null)).toEqual([true, true]);
    expect(r.values.get("EXIT")).toBe("0");
    expect(r.values.get("OUT")).toMatch(/^pid \d+ "[^"]*python3[^"]*" \(entry [0-9a-z]{10}\): terminated\|pid \d+ "[^"]*" \(entry [0-9a-z]{10}\): terminated\|port \d+ is free\|$/);
    expect(r.values.get("ENTRY")).toBe("killed manual");
  });
});
