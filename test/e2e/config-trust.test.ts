// Config trust end to end, inside a PID namespace: a cloned repository's .supervise.json
// cannot make a sweep end the user's own processes, and a user's sessionKeep adds to the
// built-in list instead of replacing it. No SUPERVISE_CONFIG: the files are discovered, with
// XDG_CONFIG_HOME and HOME inside the sandbox so the real user file is never read.

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

const nsTest = namespaceUnavailable ? test.skip : test;

/** A sandbox that discovers its config; the scenario finds the user file in $USER_FILE and the project in $PROJECT. */
function discoverySandbox(user: unknown | null) {
  sb = makeSandbox();
  const { SUPERVISE_CONFIG: _drop, ...env } = sb.env;
  const xdg = join(sb.dir, "xdg");
  const project = join(sb.dir, "project");
  mkdirSync(join(xdg, "supervise"), { recursive: true });
  mkdirSync(join(sb.dir, "home"));
  mkdirSync(project);
  const userFile = join(xdg, "supervise", "config.json");
  if (user !== null) writeFileSync(userFile, JSON.stringify(user));
  sb.env = { ...env, XDG_CONFIG_HOME: xdg, HOME: join(sb.dir, "home"), USER_FILE: userFile, PROJECT: project };
  return { userFile, project };
}

const narrowOnly = (key: string, file: string) => `supervise: ignoring ${key} in ${file}: a project's config may only narrow what supervise ends`;

describe("config trust inside a PID namespace", () => {
  nsTest(
    "a project's .supervise.json naming ssh-agent, tmux and sleep as targets ends none of the user's orphans, at SessionStart or by reap; stderr names the ignored keys",
    async () => {
      const { project } = discoverySandbox(null);
      const file = join(project, ".supervise.json");
      writeFileSync(file, JSON.stringify({ reap: { targets: { rg: ["ssh-agent", "tmux", "sleep"] }, thresholds: { rg: "1s" }, protect: [] } }));
      const r = await inNamespace(
        sb!,
        String.raw`
unset SUPERVISE_CONFIG
for n in ssh-agent tmux sleep; do ln -sf "$(command -v sleep)" "$D/s/$n"; done
AGENT_=$(orphan "$D/s/ssh-agent" 1000)
TMUX=$(orphan "$D/s/tmux" 1000)
SLEEP=$(orphan "$D/s/sleep" 1000)
for p in $AGENT_ $TMUX $SLEEP; do wait_age $p 1100; done
P=$PROJECT; cd "$P"
printf '{"session_id":"s1","source":"startup","cwd":"%s","hook_event_name":"SessionStart"}' "$P" > "$D/start.json"
echo "HOOK $(sv hook session-start < "$D/start.json" 2> "$D/hook.err" | tr -d '\n') $?"
echo "HOOK_ERR $(tr '\n' '|' < "$D/hook.err")"
echo "AFTER_HOOK $(alive $AGENT_) $(alive $TMUX) $(alive $SLEEP)"
echo "REAP $(sv reap --json 2> "$D/reap.err" | tr -d '\n')"
echo "REAP_ERR $(tr '\n' '|' < "$D/reap.err")"
echo "AFTER_REAP $(alive $AGENT_) $(alive $TMUX) $(alive $SLEEP)"
# From a removed directory inside the project: the project file is still found (and still narrow only).
mkdir "$P/gone"; cd "$P/gone"; rmdir "$P/gone"
echo "GONE_REAP $(sv reap --json 2> "$D/gone.err" | tr -d '\n') $?"
echo "GONE_ERR $(tr '\n' '|' < "$D/gone.err")"
echo "AFTER_GONE $(alive $AGENT_) $(alive $TMUX) $(alive $SLEEP)"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const lines = `${narrowOnly("reap.thresholds.rg", file)}|${narrowOnly("reap.targets.rg", file)}|`;
      const [hookJson, hookCode] = [v.get("HOOK")!.slice(0, v.get("HOOK")!.lastIndexOf(" ")), v.get("HOOK")!.split(" ").pop()];
      expect(hookCode).toBe("0");
      expect(JSON.parse(hookJson).hookSpecificOutput.hookEventName).toBe("SessionStart");
      expect(v.get("HOOK_ERR")).toBe(lines);
      expect(v.get("AFTER_HOOK")).toBe("yes yes yes");
      expect(JSON.parse(v.get("REAP")!).targets).toEqual([]);
      expect(v.get("REAP_ERR")).toBe(lines);
      expect(v.get("AFTER_REAP")).toBe("yes yes yes");
      const gone = v.get("GONE_REAP")!;
      expect(gone.split(" ").pop()).toBe("0");
      expect(JSON.parse(gone.slice(0, gone.lastIndexOf(" "))).targets).toEqual([]);
      expect(v.get("GONE_ERR")).toBe(lines);
      expect(v.get("AFTER_GONE")).toBe("yes yes yes");
    },
    60_000,
  );

  nsTest(
    'a user\'s sessionKeep ["foo"] still keeps a dead session\'s tmux (the built-in list stays); with "!tmux" it ends as session-gone',
    async () => {
      discoverySandbox({ reap: { sessionKeep: ["foo"], thresholds: { sessionGone: "1s" }, grace: "1s" } });
      const removing = join(sb!.dir, "removing.json");
      writeFileSync(removing, JSON.stringify({ reap: { sessionKeep: ["foo", "!tmux"], thresholds: { sessionGone: "1s" }, grace: "1s" } }));
      const r = await inNamespace(
        sb!,
        String.raw`
unset SUPERVISE_CONFIG
for n in tmux node; do ln -sf "$(command -v sleep)" "$D/s/$n"; done
with_cookie() { local s=$1 o=$2; shift 2; exec env CLAUDECODE=1 CLAUDE_CODE_SESSION_ID="$s" CLAUDE_PID="$o" "$@"; }
sleep 1000 & AGENT=$!
TMUX=$(orphan with_cookie s $AGENT "$D/s/tmux" 1000)
NODE=$(orphan with_cookie s $AGENT "$D/s/node" 1000)
{ kill -9 $AGENT; wait $AGENT; } 2> /dev/null
for p in $TMUX $NODE; do wait_age $p 1100; done
echo "PIDS {\"tmux\":$TMUX,\"node\":$NODE}"
echo "REPORT1 $(sv reap --json | tr -d '\n')"
echo "ALIVE1 $(alive $TMUX) $(alive $NODE)"
cp "$D/removing.json" "$USER_FILE"
echo "REPORT2 $(sv reap --json | tr -d '\n')"
echo "ALIVE2 $(alive $TMUX)"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const pids = JSON.parse(v.get("PIDS")!);
      // The node leftover proves the session counted as gone; tmux is kept by the built-in list.
      expect(JSON.parse(v.get("REPORT1")!).targets.map((t: any) => [t.pid, t.reason])).toEqual([[pids.node, "session-gone"]]);
      expect(v.get("ALIVE1")).toBe("yes no");
      expect(JSON.parse(v.get("REPORT2")!).targets.map((t: any) => [t.pid, t.reason, t.action])).toEqual([[pids.tmux, "session-gone", "terminated"]]);
      expect(v.get("ALIVE2")).toBe("no");
    },
    60_000,
  );
});
