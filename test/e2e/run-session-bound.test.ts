// An agent's background command lives as long as its session, inside a PID namespace: a
// wrapped `python3 -m http.server 0 &`, run as the PreToolUse rewrite runs it
// (--session S --session-bound --deadline none), outlives the wrapper's exit; a sweep leaves
// it while the session's agent lives, and ends it as session-gone once the agent is gone.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { wrapCommand } from "../../src/hooks/wrap-background.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable || Bun.which("python3") === null ? test.skip : test;
const CONFIG = { reap: { thresholds: { rg: "1h", rgTag: "1h", agentShell: "1h", sessionGone: "1s" }, grace: "1s", timeoutMs: 5000 }, hooks: { reapInterval: "none" } };

describe("a session-bound background command (inside a PID namespace)", () => {
  nsTest(
    "what `cmd &` left outlives the wrapper; a sweep leaves it while the agent lives and ends it as session-gone once the agent is gone",
    async () => {
      sb = makeSandbox(CONFIG);
      // The very command the hook writes for a background call of session S.
      const wrapped = wrapCommand(`python3 -m http.server 0 >/dev/null 2>&1 & echo $! > "$D/server.pid"`, {
        bun: process.execPath,
        cli: resolve(import.meta.dir, "../../src/cli.ts"),
        stateDir: sb.home,
        configPath: sb.configPath,
        deadline: "none",
        session: "S",
        name: "dev server",
      });
      writeFileSync(join(sb.dir, "wrapped.sh"), wrapped);
      const r = await inNamespace(
        sb,
        String.raw`
# The agent: a shell that runs the rewritten command as Claude Code runs a Bash call, then lives on.
( export CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=S CLAUDE_PID=$BASHPID
  bash -c "$(cat "$D/wrapped.sh")"; echo $? > "$D/run.rc"
  exec sleep 1000 ) & AGENT=$!
wait_until '[ -s "$D/run.rc" ]'
SERVER=$(cat "$D/server.pid")
echo "RUN_RC $(cat "$D/run.rc")"
echo "AFTER_RUN $(alive $SERVER)"
echo "ENTRY $(sv ls --all --json | tr -d '\n')"
wait_age $SERVER 1100
echo "LIVE_REPORT $(sv reap --json | tr -d '\n')"
echo "OWNER_LIVE $(alive $SERVER)"
exec 3>&2 2>/dev/null
kill -9 $AGENT; wait $AGENT
exec 2>&3
echo "GONE_REPORT $(sv reap --json | tr -d '\n')"
wait_until '[ "$(alive $SERVER)" = no ]'
echo "OWNER_GONE $(alive $SERVER)"
echo "SERVER_PID $SERVER"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      expect(v.get("RUN_RC")).toBe("0");
      expect(v.get("AFTER_RUN")).toBe("yes");
      const [entry] = JSON.parse(v.get("ENTRY")!);
      expect(entry).toMatchObject({ session: "S", name: "dev server", state: "exited", reason: null, deadlineAt: null });
      expect(JSON.parse(v.get("LIVE_REPORT")!).targets).toEqual([]);
      expect(v.get("OWNER_LIVE")).toBe("yes");
      const server = Number(v.get("SERVER_PID"));
      const gone = JSON.parse(v.get("GONE_REPORT")!);
      expect(gone.targets.map((t: any) => [t.pid, t.reason])).toEqual([[server, "session-gone"]]);
      expect(v.get("OWNER_GONE")).toBe("no");
    },
    60_000,
  );
});
