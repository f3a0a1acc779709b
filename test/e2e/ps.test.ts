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
      expect(byPid.get(pids.live)).toMatchObject({ agent: "claude-code", session: "s-live", ownerPid: pids.liveAgent, owner: "alive", ledgerId: null, orphaned: true, keep: false, command: "sleep 1001" });
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
});
