// The automatic gc of a real sweep (inside a PID namespace): by gc.after and gc.keepFinished.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { rawRows } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());


describe("automatic gc", () => {
  (namespaceUnavailable ? test.skip : test)("every (real) sweep applies gc.after and gc.keepFinished; a dry run removes nothing", async () => {
    sb = makeSandbox({ gc: { after: "1h", keepFinished: 2 } });
    // One finished row recorded outside: a sweep in another pid namespace leaves it (what
    // carries its cookie may live where that sweep cannot see).
    await runCli(sb, ["run", "--capture", "--", "true"]);
    const [outside] = rawRows(sb).map((row) => row.id);
    // A real sweep only inside a PID namespace: it must never touch this machine's processes.
    // The rows it collects are recorded there too, and so is the running entry, so it sees its wrapper.
    const r = await inNamespace(
      sb,
      String.raw`
ids() { sv ls --all --json | "$BUN" -e 'console.log((await Bun.stdin.json()).map((e) => e.id).sort().join(","))'; }
for i in 1 2 3 4 5; do sv run --capture -- true; done
# The newest of the five ended two hours ago (by the ledger), so gc.after takes it.
"$BUN" -e '
  const { Database } = require("bun:sqlite");
  const db = new Database(process.env.SUPERVISE_HOME + "/ledger.db");
  const rows = db.query("SELECT id FROM entries WHERE id != ? ORDER BY ended_at, rowid").all(process.argv[1]);
  db.query("UPDATE entries SET ended_at = ? WHERE id = ?").run(Date.now() - 2 * 3600000, rows[4].id);
  console.log("IDS " + rows.map((row) => row.id).join(","));
' "${outside}"
sv reap --dry-run >/dev/null; echo "DRY $?"
echo "AFTER_DRY $(ids)"
sv run --capture -- sleep 1000 >/dev/null &
has_pid() { sv ls --json | grep -Eq '"pid": [0-9]'; }
wait_until has_pid
sv reap --json >/dev/null; echo "EXIT $?"
echo "LEFT $(sv ls --all --json | tr -d '
')"
echo "OUTPUTS $(ls "$SUPERVISE_HOME/output" | tr '
' ' ')"
`,
    );
    expect(r.stderr).toBe("");
    const ids = r.values.get("IDS")!.split(",");
    expect(ids).toHaveLength(5);
    expect(r.values.get("DRY")).toBe("0");
    expect(r.values.get("AFTER_DRY")).toBe([outside!, ...ids].sort().join(","));
    expect(r.values.get("EXIT")).toBe("0");
    const left = JSON.parse(r.values.get("LEFT")!) as Array<{ id: string; state: string }>;
    const running = left.find((e) => e.state === "running")!;
    // Newest two finished kept (the one ended 2 h ago went by age), the running one and the
    // row of another namespace untouched.
    const kept = [ids[2]!, ids[3]!, running.id, outside!].sort();
    expect(left.map((e) => e.id).sort()).toEqual(kept);
    expect(r.values.get("OUTPUTS")!.trim().split(" ").sort()).toEqual(kept.flatMap((id) => [`${id}.log`, `${id}.times`]).sort());
  });

  (namespaceUnavailable ? test.skip : test)(
    "gc keeps what --keep-orphaned keeps: `gc` and a sweep's gc (gc.after 1ms) leave the row while its leftover lives, so it never falls to session-gone; once the leftover is gone, gc removes the row",
    async () => {
      sb = makeSandbox({ gc: { after: "1ms" }, reap: { thresholds: { sessionGone: "1s" }, grace: "1s", timeoutMs: 5000 } });
      const r = await inNamespace(
        sb,
        String.raw`
with_cookie() { local s=$1 o=$2; shift 2; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$s" CLAUDE_PID="$o" "$@"; }
ids() { sv ls --all --json | "$BUN" -e 'console.log((await Bun.stdin.json()).map((e) => e.id + ":" + e.state).join(","))'; }
targets() { "$BUN" -e 'console.log((await Bun.stdin.json()).targets.map((t) => t.pid + ":" + t.reason).join(","))'; }
removed() { "$BUN" -e 'console.log((await Bun.stdin.json()).removed.join(","))'; }
sleep 1000 & AGENT=$!
exec 3>&2 2>/dev/null
kill -9 $AGENT; wait $AGENT
exec 2>&3
# The dead agent's session: what it leaves is session-gone, unless an entry's row keeps it.
( with_cookie dead $AGENT "$BUN" "$CLI" run --keep-orphaned -n kept -- bash -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > "$D/kept.pid"; exit 0' )
KEPT=$(cat "$D/kept.pid")
wait_age $KEPT 1100
echo "ROWS_BEFORE $(ids)"
echo "SWEEP1 $(sv reap --json | targets)"
echo "SWEEP2 $(sv reap --json | targets)"
echo "ALIVE1 $(alive $KEPT)"
echo "ROWS1 $(ids)"
echo "GC1 $(sv gc --json | removed)"
echo "SWEEP3 $(sv reap --json | targets)"
echo "ALIVE2 $(alive $KEPT)"
echo "ROWS2 $(ids)"
kill $KEPT
wait_until '[ "$(alive $KEPT)" = no ]'
echo "GC2 $(sv gc --json | removed)"
echo "ROWS3 $(ids)"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const [row] = v.get("ROWS_BEFORE")!.split(",");
      const id = row!.split(":")[0]!;
      expect(row).toBe(`${id}:exited`);
      for (const sweep of ["SWEEP1", "SWEEP2", "SWEEP3"]) expect(`${sweep} ${v.get(sweep) ?? ""}`).toBe(`${sweep} `);
      expect([v.get("ALIVE1"), v.get("ALIVE2")]).toEqual(["yes", "yes"]);
      expect([v.get("ROWS1"), v.get("ROWS2")]).toEqual([row, row]);
      expect(v.get("GC1") ?? "").toBe("");
      expect(v.get("GC2")).toBe(id);
      expect(v.get("ROWS3") ?? "").toBe("");
    },
    60_000,
  );
});
