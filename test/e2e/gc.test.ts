// The automatic gc of a real sweep (inside a PID namespace): by gc.after and gc.keepFinished.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { rawRows, endedAgo } from "../helpers/ledger.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());


describe("automatic gc", () => {
  (namespaceUnavailable ? test.skip : test)("every (real) sweep applies gc.after and gc.keepFinished; a dry run removes nothing", async () => {
    sb = makeSandbox({ gc: { after: "1h", keepFinished: 2 } });
    for (let i = 0; i < 5; i++) await runCli(sb, ["run", "--capture", "--", "true"]);
    const ids = rawRows(sb).map((row) => row.id);
    endedAgo(sb, ids[4]!, 2 * 3_600_000);
    expect((await runCli(sb, ["reap", "--dry-run"])).exitCode).toBe(0);
    expect(rawRows(sb)).toHaveLength(5);
    // A real sweep only inside a PID namespace: it must never touch this machine's processes.
    // The running entry starts there too, so the sweep can see its wrapper.
    const r = await inNamespace(
      sb,
      String.raw`
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
    expect(r.values.get("EXIT")).toBe("0");
    const left = JSON.parse(r.values.get("LEFT")!) as Array<{ id: string; state: string }>;
    const running = left.find((e) => e.state === "running")!;
    // Newest two finished kept (the one ended 2 h ago went by age); the running one untouched.
    expect(left.map((e) => e.id).sort()).toEqual([ids[2]!, ids[3]!, running.id].sort());
    expect(r.values.get("OUTPUTS")!.trim().split(" ").sort()).toEqual([ids[2]!, ids[3]!, running.id].map((id) => `${id}.log`).sort());
  });
});
