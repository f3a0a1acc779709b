// The sweep PreToolUse starts in the background, for real, inside a PID namespace: once per
// hooks.reapInterval, with the config of the tool call's project.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe("PreToolUse starts a sweep when one is due", () => {
  (namespaceUnavailable ? test.skip : test)("once per interval, in the background, recorded with trigger pre-tool-use and the session", async () => {
    sb = makeSandbox({ reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1h" }, grace: "1s" }, hooks: { reapInterval: "10m" } });
    const input = JSON.stringify({ session_id: "s-periodic", cwd: "/", hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls", run_in_background: false } });
    const r = await inNamespace(
      sb,
      String.raw`
TAGGED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG x)
wait_age $TAGGED 1100
echo '${input}' | sv hook pre-tool-use; echo "HOOK1 $? $(cat "$SUPERVISE_HOME/reap-due" 2>/dev/null | wc -c)"
wait_until '[ "$(alive $TAGGED)" = no ]'
echo "ORPHAN_GONE yes"
has_run() { sv stats --json | grep -q '"trigger": "pre-tool-use"'; }
wait_until has_run
# The sweep scheduled the next one 10 minutes on: the next call starts nothing.
settled() { [ "$(cat "$SUPERVISE_HOME/reap-due")" -gt $(( $(date +%s%3N) + 500000 )) ]; }
wait_until settled
echo '${input}' | sv hook pre-tool-use; echo "HOOK2 $?"
# A sweep would have been claimed (reap-due rewritten to a minute on) before the hook returned.
settled && echo "NOT_CLAIMED yes"
echo "STATS $(sv stats --json | tr -d '\n')"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK1")?.split(" ")[0]).toBe("0");
    expect(r.values.get("ORPHAN_GONE")).toBe("yes");
    expect(r.values.get("HOOK2")).toBe("0");
    expect(r.values.get("NOT_CLAIMED")).toBe("yes");
    const stats = JSON.parse(r.values.get("STATS")!);
    expect(stats.perRun).toHaveLength(1);
    expect(stats.perRun[0]).toMatchObject({ trigger: "pre-tool-use", session: "s-periodic", cleaned: 1 });
  });

  (namespaceUnavailable ? test.skip : test)("the sweep reads the config of the tool call's project over the user's: its reap.protect and raised thresholds hold", async () => {
    sb = makeSandbox();
    const project = join(sb.dir, "project");
    mkdirSync(join(project, "src"), { recursive: true });
    // A lower threshold widens what is ended: only the user's file may set one.
    mkdirSync(join(sb.dir, "xdg", "supervise"), { recursive: true });
    writeFileSync(join(sb.dir, "xdg", "supervise", "config.json"), JSON.stringify({ reap: { thresholds: { rgTag: "1s" } } }));
    writeFileSync(
      join(project, ".supervise.json"),
      JSON.stringify({ reap: { thresholds: { rg: "1h", agentShell: "1h" }, grace: "1s", protect: ["keep-this-one"] }, hooks: { reapInterval: "10m" } }),
    );
    const input = JSON.stringify({ session_id: "s-project", cwd: join(project, "src"), hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command: "ls" } });
    const r = await inNamespace(
      sb,
      String.raw`
# No explicit config and no user config: what applies is found from the tool call's cwd.
unset SUPERVISE_CONFIG; export XDG_CONFIG_HOME="$D/xdg" HOME="$D/home"
PLAIN=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG x)
KEPT=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG keep-this-one)
wait_age $PLAIN 1100; wait_age $KEPT 1100
echo '${input}' | sv hook pre-tool-use; echo "HOOK $?"
wait_until '[ "$(alive $PLAIN)" = no ]'
has_run() { sv stats --json | grep -q '"trigger": "pre-tool-use"'; }
wait_until has_run
echo "ALIVE_KEPT $(alive $KEPT)"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("HOOK")).toBe("0");
    expect(r.values.get("ALIVE_KEPT")).toBe("yes");
  }, 30_000);
});
