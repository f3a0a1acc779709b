// What a target forks while the sweep ends it, end to end inside a PID namespace: a
// TERM-ignoring spawner keeps forking children that call setsid (a new session and group, so
// no group send reaches them), and one sweep must end all of it, the children forked after
// its scan included. What does not descend from a target stays.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const CONFIG = { reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1s" }, grace: "1s", timeoutMs: 8000 } };

/**
 * Bash: `$SPAWN_LOOP COUNTFILE` is a TERM-ignoring loop that forks `setsid` children (every
 * fifth one a shell with a child of its own, in its new session) and appends a byte to COUNTFILE
 * per process it forked. Bounded: at most 500 forks, and it stops forking by itself after 20 s.
 * `carrying VAR=VALUE` counts the live processes whose environment holds it.
 */
const SPAWNER = String.raw`
ln -sf /bin/bash "$D/b/node"
SPAWN_LOOP='trap "" TERM; n=0; i=0; end=$((SECONDS + 20))
while [ $n -lt 490 ] && [ $SECONDS -lt $end ]; do
  i=$((i + 1))
  if [ $((i % 5)) = 0 ]; then setsid bash -c "sleep 1000 & wait" </dev/null >/dev/null 2>&1 & n=$((n + 3)); printf xxx >> "$0"
  else setsid sleep 1000 </dev/null >/dev/null 2>&1 & n=$((n + 1)); printf x >> "$0"; fi
  sleep 0.01; n=$((n + 1)); printf x >> "$0"
done
wait'
carrying() { grep -lsxz -- "$1" /proc/[0-9]*/environ | wc -l; }
# One byte per fork, appended: the file only grows.
forked() { stat -c %s "$D/forked" 2>/dev/null || echo 0; }
`;

function report(json: string | undefined): any {
  expect(json).toBeDefined();
  return JSON.parse(json!);
}

describe("a sweep ends what its targets fork meanwhile", () => {
  nsTest(
    "a dead session's TERM-ignoring spawner forking setsid children: nothing of it is left after one sweep; a process of the same session that does not descend from it stays",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        SPAWNER +
          String.raw`
sleep 1000 & AGENT=$!
SPAWNER=$(orphan env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=forks CLAUDE_PID=$AGENT "$D/b/node" -c "$SPAWN_LOOP" "$D/forked")
# Same session, not below the spawner, too young for session-gone: no rule reaches it in this sweep.
exec 3>&2 2>/dev/null
kill -9 $AGENT; wait $AGENT
exec 2>&3
wait_age $SPAWNER 1100
OUTSIDER=$(orphan env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=forks CLAUDE_PID=$AGENT sleep 1000)
echo "BEFORE $(carrying CLAUDE_CODE_SESSION_ID=forks) $(forked)"
# Started while the sweep runs, after its scan: same session, not below the spawner either.
( sleep 0.3; orphan env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=forks CLAUDE_PID=$AGENT sleep 1000 > "$D/late.pid" ) &
echo "REPORT $(sv reap --json | tr -d '\n')"
wait_until '[ -s "$D/late.pid" ]'
echo "AFTER $(carrying CLAUDE_CODE_SESSION_ID=forks) $(forked)"
echo "ALIVE_SPAWNER $(alive $SPAWNER)"
echo "ALIVE_OUTSIDER $(alive $OUTSIDER)"
echo "ALIVE_LATE $(alive $(cat "$D/late.pid"))"
`,
        90_000,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const [before, forkedBefore] = r.values.get("BEFORE")!.split(" ").map(Number);
      const [after, forkedAfter] = r.values.get("AFTER")!.split(" ").map(Number);
      console.log(`session spawner: ${before} carriers before the sweep (${forkedBefore} forked), ${after} after (${forkedAfter} forked in all)`);
      const sweep = report(r.values.get("REPORT"));
      // The spawner was still forking when the sweep began.
      expect(forkedAfter).toBeGreaterThan(forkedBefore!);
      expect(sweep.errors).toEqual([]);
      expect(r.values.get("ALIVE_SPAWNER")).toBe("no");
      // Only the two outsiders carry the session's cookie any more.
      expect(after).toBe(2);
      expect(r.values.get("ALIVE_OUTSIDER")).toBe("yes");
      expect(r.values.get("ALIVE_LATE")).toBe("yes");
    },
    120_000,
  );

  nsTest(
    "an owner-dead ledger entry whose command ignores TERM and forks setsid children: nothing of it is left after one sweep",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        SPAWNER +
          String.raw`
# Not through the sv function: $! must be the wrapper itself.
"$BUN" "$CLI" run -d 0 -n spawner -- bash -c "$SPAWN_LOOP" "$D/forked" & WRAPPER=$!
wait_until '[ -n "$(entry_field spawner pid)" ] && [ -s "$D/forked" ]'
ID=$(entry_field spawner id); CMD=$(entry_field spawner pid)
exec 3>&2 2>/dev/null
kill -9 $WRAPPER; wait $WRAPPER
exec 2>&3
wait_until '[ "$(forked)" -ge 60 ]'
echo "BEFORE $(carrying SUPERVISE_ID=$ID) $(forked)"
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "AFTER $(carrying SUPERVISE_ID=$ID) $(forked)"
echo "ALIVE_CMD $(alive $CMD)"
echo "STATE $(entry_field spawner state)"
`,
        90_000,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const [before, forkedBefore] = r.values.get("BEFORE")!.split(" ").map(Number);
      const [after, forkedAfter] = r.values.get("AFTER")!.split(" ").map(Number);
      console.log(`owner-dead spawner: ${before} carriers before the sweep (${forkedBefore} forked), ${after} after (${forkedAfter} forked in all)`);
      const sweep = report(r.values.get("REPORT"));
      expect(forkedAfter).toBeGreaterThan(forkedBefore!);
      expect(sweep.errors).toEqual([]);
      expect(sweep.targets.every((t: any) => t.reason === "owner-dead")).toBe(true);
      expect(r.values.get("ALIVE_CMD")).toBe("no");
      expect(after).toBe(0);
      expect(r.values.get("STATE")).toBe("killed");
    },
    120_000,
  );
});
