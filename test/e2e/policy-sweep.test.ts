// The lifecycle policy on the sweep's ledgered targets, inside a PID namespace: reap.protect
// and reap.sessionKeep hold for an owner-dead or overdue entry's members and escapes as they
// do for leftovers, and a group that holds a protected member is never signalled whole.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;
const CONFIG = { reap: { grace: "1s", timeoutMs: 5000 } };

describe("sweeps and the keep rules, for ledgered processes (inside a PID namespace)", () => {
  nsTest(
    "owner-dead entries: a pytest command, a tmux server and the shell inside it, and a pytest escape are left; the plain member is ended",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        String.raw`
"$BUN" "$CLI" run -d 0 -n pytest -- bash -c 'exec -a pytest sleep 1000' & W1=$!
"$BUN" "$CLI" run -d 0 -n tmux -- bash -c 'tmux -S "$D/sock" -f /dev/null new -d "sleep 1001"; exec sleep 1002' & W2=$!
# What an ended entry left: protected, so its own exit left it, and so does a sweep.
sv run -n esc -- bash -c 'setsid bash -c "exec -a pytest sleep 1003" </dev/null >/dev/null 2>&1 & exit 0'
wait_until '[ -n "$(entry_field pytest pid)" ] && [ -n "$(entry_field tmux pid)" ] && pgrep -f "^sleep 1001" >/dev/null && pgrep -f "^pytest 1003" >/dev/null'
PYTEST=$(entry_field pytest pid); LEADER=$(entry_field tmux pid)
# Asked of tmux: until its client exits, the forked server shares the client's command line.
read -r SERVER INSIDE < <(tmux -S "$D/sock" list-panes -a -F '#{pid} #{pane_pid}')
ESCAPE=$(pgrep -f "^pytest 1003" | head -1)
exec 3>&2 2>/dev/null
kill -9 $W1 $W2; wait $W1 $W2
exec 2>&3
echo "PIDS {\"pytest\":$PYTEST,\"leader\":$LEADER,\"server\":$SERVER,\"inside\":$INSIDE,\"escape\":$ESCAPE}"
echo "REPORT $(sv reap --json | tr -d '\n')"
for v in PYTEST LEADER SERVER INSIDE ESCAPE; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const pids = JSON.parse(r.values.get("PIDS")!);
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.targets.map((t: any) => [t.pid, t.reason, t.action])).toEqual([[pids.leader, "owner-dead", "terminated"]]);
      expect(["PYTEST", "LEADER", "SERVER", "INSIDE", "ESCAPE"].map((k) => [k, r.values.get(`ALIVE_${k}`)])).toEqual([
        ["PYTEST", "yes"],
        ["LEADER", "no"],
        ["SERVER", "yes"],
        ["INSIDE", "yes"],
        ["ESCAPE", "yes"],
      ]);
    },
    60_000,
  );

  nsTest(
    "owner-dead entries whose commands write their title over their environment (perl $0, as nginx and postgres do): ended, unless the entry's command asked for SUPERVISE_KEEP=1",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        String.raw`
TITLE='$0 = "myapp: worker " . ("x" x 40); sleep 1000'
"$BUN" "$CLI" run -d 0 -n titled -- perl -e "$TITLE" & W1=$!
"$BUN" "$CLI" run -d 0 -n asked -- bash -c "SUPERVISE_KEEP=1 exec perl -e '$TITLE'" & W2=$!
# A title with '=' in it reads, over the environment, like NAME=VALUE words.
EQ_TITLE='$0 = q(worker --opt=1 ) x 200; sleep 1000'
"$BUN" "$CLI" run -d 0 -n asked-eq -- bash -c "SUPERVISE_KEEP=\"1\" exec perl -e '$EQ_TITLE'" & W3=$!
# A title with no blank before an '=' in the part over the environment: it reads as one NAME=VALUE word.
NATURAL_TITLE='$0 = q(worker ) . (q(queue=default ) x 200); sleep 1000'
"$BUN" "$CLI" run -d 0 -n asked-natural -- env SUPERVISE_KEEP=1 perl -e "$NATURAL_TITLE" & W4=$!
wait_until '[ -n "$(entry_field titled pid)" ] && [ -n "$(entry_field asked pid)" ] && [ -n "$(entry_field asked-eq pid)" ] && [ -n "$(entry_field asked-natural pid)" ] && grep -q "myapp: worker" /proc/$(entry_field titled pid)/cmdline && grep -q "myapp: worker" /proc/$(entry_field asked pid)/cmdline && grep -q "worker --opt=1" /proc/$(entry_field asked-eq pid)/cmdline && grep -q "queue=default" /proc/$(entry_field asked-natural pid)/cmdline'
TITLED=$(entry_field titled pid); ASKED=$(entry_field asked pid); ASKED_EQ=$(entry_field asked-eq pid); NATURAL=$(entry_field asked-natural pid)
echo "EQ_COOKIE_READ $(tr '\0' '\n' < /proc/$ASKED_EQ/environ | grep -c '^SUPERVISE_ID=')"
# The title really is over the environment: no SUPERVISE_ID can be read there any more.
echo "COOKIE_READ $(tr '\0' '\n' < /proc/$TITLED/environ | grep -c '^SUPERVISE_ID=')"
exec 3>&2 2>/dev/null
kill -9 $W1 $W2 $W3 $W4; wait $W1 $W2 $W3 $W4
exec 2>&3
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "ALIVE $(alive $TITLED) $(alive $ASKED) $(alive $ASKED_EQ) $(alive $NATURAL)"
kill $ASKED $ASKED_EQ $NATURAL 2>/dev/null
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(r.values.get("COOKIE_READ")).toBe("0");
      expect(r.values.get("EQ_COOKIE_READ")).toBe("0");
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.targets.map((t: any) => [t.reason, t.action])).toEqual([["owner-dead", "terminated"]]);
      expect(r.values.get("ALIVE")).toBe("no yes yes yes");
    },
    60_000,
  );

  nsTest(
    "overdue: a `docker compose up` whose wrapper was stopped past its deadline is left by the sweep; so is a plain command its user suspended (Ctrl-Z: group and wrapper stopped); each wrapper, continued, ends its command at its own deadline",
    async () => {
      sb = makeSandbox(CONFIG);
      const r = await inNamespace(
        sb,
        String.raw`
"$BUN" "$CLI" run -d 1s -g 100ms -n compose -- bash -c 'exec -a "docker compose up" sleep 1000' & W=$!
"$BUN" "$CLI" run -d 1s -g 100ms -n suspended -- sleep 1001 & W2=$!
wait_until '[ -n "$(entry_field compose pid)" ] && [ -n "$(entry_field suspended pid)" ]'
CMD=$(entry_field compose pid); CMD2=$(entry_field suspended pid)
kill -STOP $W
# What the terminal sends on Ctrl-Z: the wrapper stops its command's group, then itself.
kill -TSTP $W2
wait_until '[ "$(stat_field $W2 1)" = T ] && [ "$(stat_field $CMD2 1)" = T ]'
# Past deadline + grace + the 10 s slack: the first entry is overdue; the suspended one is its user's.
wait_age $W 12000
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "ALIVE $(alive $W)$(alive $CMD)$(alive $W2)$(alive $CMD2)"
kill -CONT $W $W2
wait $W; echo "EXIT $?"
wait $W2; echo "EXIT2 $?"
echo "ALIVE_AFTER $(alive $CMD)$(alive $CMD2)"
`,
        90_000,
      );
      expect(r.stderr).toBe("");
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.targets).toEqual([]);
      expect(r.values.get("ALIVE")).toBe("yesyesyesyes");
      // Its own deadline reaches its own group, protected or not.
      expect([r.values.get("EXIT"), r.values.get("EXIT2"), r.values.get("ALIVE_AFTER")]).toEqual(["124", "124", "nono"]);
    },
    90_000,
  );

  nsTest(
    "a sweep in a child pid namespace that kept its parent's /proc signals nothing: its pids would name other processes",
    async () => {
      sb = makeSandbox({ reap: { ...CONFIG.reap, thresholds: { rg: "1s" } } });
      const r = await inNamespace(
        sb,
        String.raw`
RG=$(orphan "$D/s/rg" 300)
wait_age $RG 1200
# No --mount-proc: /proc is still this namespace's, while kill(2) takes the child's pids.
unshare --pid --fork bash -c 'for i in $(seq 2 '"$RG"'); do sleep 301 & done; echo "BEFORE $(jobs -r | wc -l)"; "$BUN" "$CLI" reap --json > "$D/report.json"; sleep 0.3; echo "AFTER $(jobs -r | wc -l)"; kill $(jobs -p)'
echo "REPORT $(tr -d '\n' < "$D/report.json")"
echo "ALIVE_RG $(alive $RG)"
`,
      );
      expect(r.stderr).toBe("");
      const report = JSON.parse(r.values.get("REPORT")!);
      // Judged from there the rg is another namespace's; and were it planned, no signal would be sent.
      expect(report.targets.filter((t: any) => t.action !== "failed")).toEqual([]);
      expect(r.values.get("ALIVE_RG")).toBe("yes");
      // Nothing of the child namespace was hit either.
      expect(r.values.get("AFTER")).toBe(r.values.get("BEFORE"));
    },
    60_000,
  );

  nsTest(
    "the orphaned init of a child pid namespace, carrying a live agent's variables, is never a sweep's target: ending it would end all inside",
    async () => {
      sb = makeSandbox({ reap: { ...CONFIG.reap, thresholds: { agentShell: "1s" } } });
      const r = await inNamespace(
        sb,
        String.raw`
AG=$(orphan sleep 1000)
( export CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=S CLAUDE_PID=$AG
  unshare --pid --fork --mount-proc bash -c 'SUPERVISE_KEEP=1 sleep 1000 & while :; do sleep 1; done' </dev/null >/dev/null 2>&1 & echo $! > "$D/u.pid" )
U=$(cat "$D/u.pid")
wait_until '[ -n "$(pgrep -P $U)" ]'
INIT=$(pgrep -P $U)
# Its parent (unshare) dies: the namespace's init, a bash with the agent's variables, is an orphan here.
kill -9 $U
wait_until '[ "$(stat_field $INIT 2)" = 1 ]'
wait_age $INIT 1500
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "ALIVE $(alive $INIT) $(alive $AG)"
`,
      );
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.values.get("REPORT")!).targets).toEqual([]);
      expect(r.values.get("ALIVE")).toBe("yes yes");
    },
    60_000,
  );
});
