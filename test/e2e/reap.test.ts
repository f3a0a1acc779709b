// supervise reap end to end, inside a PID namespace: real orphans, real ledger entries,
// real signals. Thresholds are shortened by config; ages are waited for, not slept.

import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

const SHORT = { reap: { thresholds: { rg: "1h", rgTag: "1s", agentShell: "1s" }, grace: "1s", timeoutMs: 5000 } };

function targetsOf(reportJson: string | undefined): any[] {
  expect(reportJson).toBeDefined();
  return JSON.parse(reportJson!).targets;
}

describe("reap inside a PID namespace", () => {
  nsTest(
    "orphan rules: what is reaped, what survives, and why",
    async () => {
      sb = makeSandbox(SHORT);
      writeFileSync(join(sb.dir, "config-rg.json"), JSON.stringify({ reap: { ...SHORT.reap, thresholds: { ...SHORT.reap.thresholds, rg: "1s" } } }));
      const r = await inNamespace(
        sb,
        String.raw`
PUB=$(mktemp -d /tmp/supervise-ns-XXXXXX); chmod 755 "$PUB"; ln -s /bin/bash "$PUB/rg"; trap 'rm -rf "$PUB"' EXIT
TAGGED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg @TAG TODO)
PLAIN=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg TODO)
IGNORES_TERM=$(orphan "$D/b/rg" -c 'trap "" TERM; sleep 1000 & wait' rg @SPEC)
AGENT=$(orphan env CLAUDECODE=1 bash -c 'sleep 1000 & wait')
SNAPSHOT=$(orphan bash -c 'sleep 1000 & wait' "$HOME/.claude/shell-snapshots/snapshot-bash-1.sh")
PLAIN_SHELL=$(orphan bash -c 'sleep 1000 & wait')
PROTECTED=$(orphan "$D/b/rg" -c 'sleep 1000 & wait' rg pytest @TAG)
OTHER_USER=$(orphan setpriv --reuid=65534 --regid=65534 --clear-groups "$PUB/rg" -c 'sleep 1000 & wait' rg @TAG)
"$D/b/rg" -c 'sleep 1000 & wait' rg @TAG & NOT_ORPHAN=$!
# The child outlives the exec, so nothing but the (non-reaping) sleep is left to collect it.
ZOMBIE_PARENT=$(orphan bash -c '(sleep 0.2) & exec "$D/s/rg" 1000')
wait_until "grep -qs ') Z $ZOMBIE_PARENT ' /proc/[0-9]*/stat"
for p in $TAGGED $PLAIN $IGNORES_TERM $AGENT $SNAPSHOT $PLAIN_SHELL $PROTECTED $OTHER_USER $NOT_ORPHAN $ZOMBIE_PARENT; do wait_age $p 1100; done
echo "PIDS {\"tagged\":$TAGGED,\"plain\":$PLAIN,\"ignoresTerm\":$IGNORES_TERM,\"agent\":$AGENT,\"snapshot\":$SNAPSHOT,\"zombieParent\":$ZOMBIE_PARENT}"
echo "DRY $(sv reap --dry-run --json | tr -d '\n')"
echo "AFTER_DRY $(alive $TAGGED)$(alive $AGENT)"
echo "REPORT1 $(sv reap --json | tr -d '\n')"
for v in TAGGED PLAIN IGNORES_TERM AGENT SNAPSHOT PLAIN_SHELL PROTECTED OTHER_USER NOT_ORPHAN ZOMBIE_PARENT; do echo "ALIVE1_$v $(alive ${"$"}{!v})"; done
echo "REPORT2 $(sv reap --json --config "$D/config-rg.json" | tr -d '\n')"
for v in PLAIN ZOMBIE_PARENT PLAIN_SHELL PROTECTED OTHER_USER NOT_ORPHAN; do echo "ALIVE2_$v $(alive ${"$"}{!v})"; done
echo "HUMAN $(sv reap --dry-run | head -1)"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const pids = JSON.parse(v.get("PIDS")!);

      // A dry run classifies and sends nothing.
      const dry = targetsOf(v.get("DRY"));
      expect(dry.every((t) => t.action === "would-kill")).toBe(true);
      expect(v.get("AFTER_DRY")).toBe("yesyes");

      const first = targetsOf(v.get("REPORT1"));
      const byPid = new Map(first.map((t) => [t.pid, t]));
      expect(byPid.get(pids.tagged)).toMatchObject({ reason: "rg-tag", action: "terminated", signal: "TERM", name: "rg", ledgerId: null });
      expect(byPid.get(pids.ignoresTerm)).toMatchObject({ reason: "rg-tag", action: "killed", signal: "KILL" });
      expect(byPid.get(pids.agent)).toMatchObject({ reason: "agent-shell", action: "terminated" });
      expect(byPid.get(pids.snapshot)).toMatchObject({ reason: "agent-shell", action: "terminated" });
      expect(byPid.get(pids.tagged).ageSeconds).toBeGreaterThanOrEqual(1);
      // Exactly these four: the untagged rg is younger than its 1h threshold, the rest are excluded.
      expect(first.map((t) => t.pid).sort()).toEqual([pids.tagged, pids.ignoresTerm, pids.agent, pids.snapshot].sort());
      expect(JSON.parse(v.get("REPORT1")!).counts).toEqual({ terminated: 3, killed: 1, gone: 0, failed: 0, zombies: 0 });
      for (const name of ["TAGGED", "IGNORES_TERM", "AGENT", "SNAPSHOT"]) expect(v.get(`ALIVE1_${name}`)).toBe("no");
      for (const name of ["PLAIN", "PLAIN_SHELL", "PROTECTED", "OTHER_USER", "NOT_ORPHAN", "ZOMBIE_PARENT"]) expect(v.get(`ALIVE1_${name}`)).toBe("yes");

      // With rg's threshold at 1s the plain rg goes too; the zombie under one is reported, not claimed.
      const second = JSON.parse(v.get("REPORT2")!);
      const plain = second.targets.find((t: any) => t.pid === pids.plain);
      expect(plain).toMatchObject({ reason: "rg", action: "terminated" });
      expect(second.targets.find((t: any) => t.pid === pids.zombieParent)).toMatchObject({ reason: "rg", action: "terminated" });
      const zombie = second.targets.find((t: any) => t.action === "zombie");
      expect(zombie).toMatchObject({ reason: "rg", signal: null });
      expect(second.counts).toEqual({ terminated: 2, killed: 0, gone: 0, failed: 0, zombies: 1 });
      expect(v.get("ALIVE2_PLAIN")).toBe("no");
      expect(v.get("ALIVE2_ZOMBIE_PARENT")).toBe("no");
      for (const name of ["PLAIN_SHELL", "PROTECTED", "OTHER_USER", "NOT_ORPHAN"]) expect(v.get(`ALIVE2_${name}`)).toBe("yes");
      expect(v.get("HUMAN")).toMatch(/^dry run: 0 targets would be ended \(\d+ processes scanned in \d+ ms\)$/);
    },
    90_000,
  );

  nsTest(
    "ledger entries: a SIGKILLed wrapper's command is owner-dead, a reused pid survives and its entry is lost, an escape is found by its cookie, and what --keep-orphaned (or run.onOrphan keep) kept stays",
    async () => {
      sb = makeSandbox(SHORT);
      writeFileSync(join(sb.dir, "keep.json"), JSON.stringify({ ...SHORT, run: { onOrphan: "keep" } }));
      const r = await inNamespace(
        sb,
        String.raw`
entry_id() { sv ls --all --json | "$BUN" -e 'const e = (await Bun.stdin.json()).find((x) => x.name === process.argv.at(-1)); console.log(e?.id ?? "")' "$1"; }
entry_pid() { sv ls --all --json | "$BUN" -e 'const e = (await Bun.stdin.json()).find((x) => x.name === process.argv.at(-1)); console.log(e?.pid ?? "")' "$1"; }
# Not through the sv function: $! must be the wrapper itself, not a subshell around it.
"$BUN" "$CLI" run -d 0 -n owner -- sleep 1000 & OWNER_WRAPPER=$!
"$BUN" "$CLI" run -d 0 -n reuse -- sleep 1000 & REUSE_WRAPPER=$!
"$BUN" "$CLI" run -d 0 --keep-orphaned -n kept-owner -- sleep 1000 & KEPT_OWNER_WRAPPER=$!
wait_until '[ -n "$(entry_pid owner)" ] && [ -n "$(entry_pid reuse)" ] && [ -n "$(entry_pid kept-owner)" ]'
OWNER=$(entry_pid owner); REUSE=$(entry_pid reuse); KEPT_OWNER=$(entry_pid kept-owner)
# bash reports killed jobs on its stderr; keep that out of the test's stderr check.
exec 3>&2 2>/dev/null
kill -9 $OWNER_WRAPPER $REUSE_WRAPPER $KEPT_OWNER_WRAPPER
wait $OWNER_WRAPPER $REUSE_WRAPPER $KEPT_OWNER_WRAPPER
kill -9 $REUSE
wait_until '[ "$(alive $REUSE)" = no ]'
exec 2>&3
# The next process gets the reused pid: same number, another start time, its own group.
echo $((REUSE - 1)) > /proc/sys/kernel/ns_last_pid
setsid sleep 1000 & IMPOSTOR=$!
# An escape: a process carrying the cookie of an entry that has ended.
sv run -n escape -- true
SUPERVISE_ID=$(entry_id escape) setsid sleep 1000 </dev/null >/dev/null 2>&1 & ESCAPED=$!
sv run --keep-orphaned -n kept -- bash -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > "$D/kept.pid"; exit 0'
sv run --config "$D/keep.json" -n kept-config -- bash -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 & echo $! > "$D/kept-config.pid"; exit 0'
KEPT=$(cat "$D/kept.pid"); KEPT_CONFIG=$(cat "$D/kept-config.pid")
echo "PIDS {\"owner\":$OWNER,\"reuse\":$REUSE,\"impostor\":$IMPOSTOR,\"escaped\":$ESCAPED,\"kept\":$KEPT,\"keptConfig\":$KEPT_CONFIG,\"keptOwner\":$KEPT_OWNER}"
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "REPORT_AGAIN $(sv reap --json | tr -d '\n')"
for v in OWNER IMPOSTOR ESCAPED KEPT KEPT_CONFIG KEPT_OWNER; do echo "ALIVE_$v $(alive ${"$"}{!v})"; done
echo "LS $(sv ls --all --json | tr -d '\n')"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      const pids = JSON.parse(v.get("PIDS")!);
      expect(pids.impostor).toBe(pids.reuse);

      const report = JSON.parse(v.get("REPORT")!);
      const entries = JSON.parse(v.get("LS")!);
      const byName = new Map(entries.map((e: any) => [e.name, e]));
      const owner = byName.get("owner") as any;
      expect(report.targets.find((t: any) => t.pid === pids.owner)).toMatchObject({ reason: "owner-dead", action: "terminated", ledgerId: owner.id });
      expect(report.targets.find((t: any) => t.pid === pids.escaped)).toMatchObject({ reason: "escaped", action: "terminated", ledgerId: (byName.get("escape") as any).id });
      expect(report.targets.some((t: any) => t.pid === pids.impostor)).toBe(false);
      expect(v.get("ALIVE_OWNER")).toBe("no");
      expect(v.get("ALIVE_ESCAPED")).toBe("no");
      expect(v.get("ALIVE_IMPOSTOR")).toBe("yes");
      // Kept: the leftovers of --keep-orphaned and run.onOrphan keep, and the command of a kept entry whose wrapper died.
      for (const pid of [pids.kept, pids.keptConfig, pids.keptOwner]) {
        for (const sweep of [report, JSON.parse(v.get("REPORT_AGAIN")!)]) expect(sweep.targets.some((t: any) => t.pid === pid)).toBe(false);
      }
      for (const name of ["KEPT", "KEPT_CONFIG", "KEPT_OWNER"]) expect(v.get(`ALIVE_${name}`)).toBe("yes");
      expect(byName.get("kept-owner")).toMatchObject({ state: "orphaned" });
      expect(owner).toMatchObject({ state: "killed", reason: "owner-dead", signal: "TERM" });
      expect(byName.get("reuse")).toMatchObject({ state: "lost", reason: null });
      expect(byName.get("escape")).toMatchObject({ state: "exited", exitCode: 0 });

      // pino lines for each kill, in the same log as the wrapper's.
      const lines = readFileSync(join(sb.home, "supervise.log"), "utf8").trim().split("\n");
      // One pid key per line: the logging process's.
      for (const line of lines) expect(line.match(/"pid":/g)).toHaveLength(1);
      const log = lines.map((l) => JSON.parse(l));
      const reaped = log.filter((l) => l.msg === "reaped");
      expect(reaped.map((l) => [l.targetPid, l.reason, l.action]).sort()).toEqual([
        [pids.escaped, "escaped", "terminated"],
        [pids.owner, "owner-dead", "terminated"],
      ].sort());
      expect(reaped[0]).toMatchObject({ level: 30, pid: expect.any(Number), hostname: expect.any(String), time: expect.any(Number) });
    },
    90_000,
  );

  nsTest(
    "ten TERM-ignoring targets cost one grace period, and the time budget cuts a grace that would overrun it",
    async () => {
      sb = makeSandbox(SHORT);
      writeFileSync(join(sb.dir, "tight.json"), JSON.stringify({ reap: { ...SHORT.reap, grace: "30s", timeoutMs: 2000 } }));
      const r = await inNamespace(
        sb,
        String.raw`
plant() { P=""; for i in 1 2 3 4 5 6 7 8 9 10; do P="$P $(orphan "$D/b/rg" -c 'trap "" TERM; sleep 1000 & wait' rg @TEST)"; done; for p in $P; do wait_age $p 1100; done; }
plant; S=$(date +%s%N); echo "SHARED $(sv reap --json | tr -d '\n')"; echo "SHARED_WALL $(( ($(date +%s%N) - S) / 1000000 ))"
plant; S=$(date +%s%N); echo "TIGHT $(sv reap --json --config "$D/tight.json" | tr -d '\n')"; echo "TIGHT_WALL $(( ($(date +%s%N) - S) / 1000000 ))"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const shared = JSON.parse(r.values.get("SHARED")!);
      expect(shared.counts).toEqual({ terminated: 0, killed: 10, gone: 0, failed: 0, zombies: 0 });
      // One 1 s grace for all ten (ten in turn would be 10 s).
      expect(shared.durationMs).toBeGreaterThanOrEqual(1000);
      expect(shared.durationMs).toBeLessThan(3000);
      const tight = JSON.parse(r.values.get("TIGHT")!);
      expect(tight.counts).toEqual({ terminated: 0, killed: 10, gone: 0, failed: 0, zombies: 0 });
      // A 30 s grace inside a 2 s budget: the sweep still ends inside the budget.
      expect(tight.durationMs).toBeLessThan(2000);
      expect(Number(r.values.get("TIGHT_WALL"))).toBeLessThan(2000 + 1000);
    },
    90_000,
  );

  nsTest(
    "overdue: a stopped wrapper past deadline + grace + slack is ended with its command",
    async () => {
      sb = makeSandbox(SHORT);
      const r = await inNamespace(
        sb,
        String.raw`
"$BUN" "$CLI" run -d 1s -g 100ms -n stuck -- sleep 1000 & W=$!
wait_until '[ -n "$(sv ls --json | grep -o "\"pid\": [0-9]*")" ]'
CMD=$(sv ls --json | grep -o '"pid": [0-9]*' | head -1 | cut -d' ' -f2)
# A stopped wrapper cannot enforce its deadline.
kill -STOP $W
wait_until 'sv reap --dry-run --json | grep -q overdue'
echo "REPORT $(sv reap --json | tr -d '\n')"
echo "PIDS {\"wrapper\":$W,\"command\":$CMD}"
echo "ALIVE $(alive $W)$(alive $CMD)"
echo "STATE $(sv ls --all --json | tr -d '\n ')"
wait $W 2>/dev/null; true
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const pids = JSON.parse(r.values.get("PIDS")!);
      const report = JSON.parse(r.values.get("REPORT")!);
      expect(report.targets.map((t: any) => [t.pid, t.reason]).sort()).toEqual([
        [pids.command, "overdue"],
        [pids.wrapper, "overdue"],
      ].sort());
      expect(report.counts.failed).toBe(0);
      expect(r.values.get("ALIVE")).toBe("nono");
      // Ended: by the reaper (overdue) or by the wrapper itself once continued; never left running.
      expect(r.values.get("STATE")).toMatch(/"state":"killed"/);
    },
    60_000,
  );

  nsTest(
    "a wrapper that outlived its agent ($CLAUDE_PID gone) is owner-dead: its command is ended and the wrapper records why",
    async () => {
      sb = makeSandbox(SHORT);
      const r = await inNamespace(
        sb,
        String.raw`
# The agent runs a shell that runs the wrapper (CLAUDE_PID names an ancestor of it); when the
# agent dies the shell lives on, so the wrapper's parent is alive and only its owner is gone.
bash -c 'bash -c "CLAUDE_PID=\$PPID \"\$BUN\" \"\$CLI\" run -n owned -- sleep 1000; echo \$? > \"\$D/wexit\"" & wait' & AGENT=$!
"$BUN" "$CLI" run -n unowned -- sleep 1000 & W2=$!
has_pids() { [ "$(sv ls --json | grep -c '"pid": [0-9]')" = 2 ]; }
wait_until has_pids
echo "BEFORE $(sv reap --dry-run --json | tr -d '
')"
kill -9 $AGENT; wait $AGENT 2>/dev/null
echo "REPORT $(sv reap --json | tr -d '
')"
wait_until '[ -s "$D/wexit" ]'; echo "WRAPPER_EXIT $(cat "$D/wexit")"
echo "ALIVE_W2 $(alive $W2)"
echo "LS $(sv ls --all --json | tr -d '
')"
kill $W2; wait $W2 2>/dev/null; true
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.values.get("BEFORE")!).targets).toEqual([]);
      const report = JSON.parse(r.values.get("REPORT")!);
      const entries = JSON.parse(r.values.get("LS")!);
      const owned = entries.find((e: any) => e.name === "owned");
      expect(report.targets.map((t: any) => [t.pid, t.reason, t.action])).toEqual([[owned.pid, "owner-dead", "terminated"]]);
      expect(owned).toMatchObject({ state: "killed", reason: "owner-dead", signal: "TERM" });
      expect(r.values.get("WRAPPER_EXIT")).toBe("143");
      expect(r.values.get("ALIVE_W2")).toBe("yes");
      expect(entries.find((e: any) => e.name === "unowned").state).toBe("running");
    },
    60_000,
  );
});
