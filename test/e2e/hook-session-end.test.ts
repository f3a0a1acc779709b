// SessionEnd: the session's commands are ended (reason session-end) when the reason is in
// hooks.sessionEndKillOn; the hook itself returns fast and a detached follow-up escalates.
// SessionEnd also ends the session's unsupervised orphans, so every run of it happens
// inside a PID namespace, never against this machine's processes.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { inNamespace, namespaceUnavailable, type NamespaceResult } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(60_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});
const nsTest = namespaceUnavailable ? test.skip : test;

/**
 * Bash: `entry NAME SESSION [run options...]` starts `sv run` with a TERM-obeying command
 * (or STUBBORN=1 for a TERM-ignoring one) and waits for its first line; `$W_NAME` is the
 * wrapper, `entry_id NAME` its ledger id. `end_session SESSION REASON` runs the hook and
 * prints `HOOK <stdout> <exit> <ms>`; `exit_of NAME` waits for the wrapper and prints `EXIT_NAME <status>`.
 */
const HELPERS = String.raw`
entry() {
  local name=$1 session=$2; shift 2
  local cmd='echo ready; exec sleep 1000'
  [ "${"$"}{STUBBORN:-}" = 1 ] && cmd="trap '' TERM; echo ready; while :; do sleep 1; done"
  sv run --session "$session" --name "$name" "$@" -- bash -c "$cmd" > "$D/$name.out" 2> "$D/$name.err" &
  eval "W_$name=$!"
  wait_until "grep -qs ready '$D/$name.out'"
}
end_session() {
  printf '{"session_id":"%s","reason":"%s","cwd":"%s","hook_event_name":"SessionEnd"}' "$1" "$2" "$D" > "$D/end.json"
  local t0 t1 out code; t0=$(date +%s%N)
  out=$(sv hook session-end < "$D/end.json" 2> "$D/hook.err"); code=$?; t1=$(date +%s%N)
  echo "HOOK $out $code $(( (t1 - t0) / 1000000 ))"
}
exit_of() { local w; w=$(eval echo "\$W_$1"); wait "$w"; echo "EXIT_$1 $?"; }
`;

const scenario = (script: string): Promise<NamespaceResult> => inNamespace(sb!, HELPERS + script);

/** The ledger rows by name, as `ls --all --json` printed them on the LEDGER line. */
function ledgerByName(r: NamespaceResult): Map<string, any> {
  return new Map(JSON.parse(r.values.get("LEDGER")!).map((e: any) => [e.name, e]));
}

/** `HOOK <stdout> <exit> <ms>` split into its parts. */
function hookLine(line: string): { stdout: string; exitCode: number; ms: number } {
  const [ms, exitCode, ...stdout] = line.split(" ").reverse();
  return { stdout: stdout.reverse().join(" "), exitCode: Number(exitCode), ms: Number(ms) };
}

describe("supervise hook session-end (inside a PID namespace)", () => {
  nsTest("5 TERM-ignoring entries: the hook returns within Claude Code's budget, the follow-up kills them after the grace; another session's entry is untouched", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
for i in 1 2 3 4 5; do STUBBORN=1 entry "stubborn$i" mine -g 500ms; done
entry other theirs
end_session mine prompt_input_exit
echo "HOOK_ERR $(wc -c < "$D/hook.err")"
for i in 1 2 3 4 5; do exit_of "stubborn$i"; done
echo "OTHER_ALIVE $(alive $W_other)"
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
`);
    expect(r.stderr).toBe("");
    const hook = hookLine(r.values.get("HOOK")!);
    expect([hook.stdout, hook.exitCode, r.values.get("HOOK_ERR")]).toEqual(["{}", 0, "0"]);
    // Claude Code gives all SessionEnd hooks 1.5 s together.
    expect(hook.ms).toBeLessThan(1_500);
    const ledger = ledgerByName(r);
    for (let i = 1; i <= 5; i++) {
      expect(r.values.get(`EXIT_stubborn${i}`)).toBe("137");
      expect(ledger.get(`stubborn${i}`)).toMatchObject({ state: "killed", reason: "session-end", signal: "KILL" });
    }
    expect(r.values.get("OTHER_ALIVE")).toBe("yes");
    expect(ledger.get("other")).toMatchObject({ state: "running", reason: null });
  });

  nsTest("a command that obeys TERM ends on the hook's own signal: exit 143; killed, session-end, TERM", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
entry obeys s1
end_session s1 other
exit_of obeys
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
`);
    expect(r.stderr).toBe("");
    expect(hookLine(r.values.get("HOOK")!)).toMatchObject({ stdout: "{}", exitCode: 0 });
    expect(r.values.get("EXIT_obeys")).toBe("143");
    expect(ledgerByName(r).get("obeys")).toMatchObject({ state: "killed", reason: "session-end", signal: "TERM" });
  });

  nsTest("an entry started with --keep-orphaned is kept, by the hook and by its follow-up", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
entry kept s-keep --keep-orphaned
STUBBORN=1 entry ended s-keep -g 500ms
end_session s-keep other
# The follow-up has done its work once the stubborn entry has ended.
exit_of ended
echo "KEPT_ALIVE $(alive $W_kept)"
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT_ended")).toBe("137");
    expect(r.values.get("KEPT_ALIVE")).toBe("yes");
    expect(ledgerByName(r).get("kept")).toMatchObject({ state: "running", reason: null });
  });

  nsTest("clear and resume (not in hooks.sessionEndKillOn by default) end nothing; the config decides", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
entry cleared s2
end_session s2 clear; end_session s2 resume
echo "ALIVE_AFTER $(alive $W_cleared)"
echo '{"hooks":{"sessionEndKillOn":["clear"]}}' > "$SUPERVISE_CONFIG"
end_session s2 clear
exit_of cleared
`);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").filter((l) => l.startsWith("HOOK ")).map((l) => hookLine(l.slice(5)))).toMatchObject(Array(3).fill({ stdout: "{}", exitCode: 0 }));
    expect(r.values.get("ALIVE_AFTER")).toBe("yes");
    expect(r.values.get("EXIT_cleared")).toBe("143");
  });

  nsTest("an entry whose process carries SUPERVISE_KEEP=1 is left running, as one started with --keep-orphaned; the session's other entry ends", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
sv run --session mine --name marked -- bash -c 'SUPERVISE_KEEP=1 exec sleep 1234' > /dev/null 2>&1 &
W_marked=$!
wait_until '[ -n "$(pgrep -x -f "sleep 1234")" ] && tr "\0" "\n" < /proc/$(pgrep -x -f "sleep 1234")/environ | grep -q "^SUPERVISE_KEEP=1$"'
entry plain mine
end_session mine prompt_input_exit
exit_of plain
echo "MARKED_ALIVE $(alive $W_marked) $(alive $(pgrep -x -f 'sleep 1234'))"
echo "LEDGER $(sv ls --all --json | tr -d '\n')"
{ kill -KILL $(pgrep -x -f 'sleep 1234'); wait $W_marked; } 2> /dev/null
`);
    expect(r.stderr).toBe("");
    expect(r.values.get("EXIT_plain")).toBe("143");
    expect(r.values.get("MARKED_ALIVE")).toBe("yes yes");
    const ledger = ledgerByName(r);
    expect(ledger.get("plain")).toMatchObject({ state: "killed", reason: "session-end" });
    expect(ledger.get("marked")).toMatchObject({ state: "running", reason: null });
  });

  nsTest("bad input: exit 0, {}, one stderr line, nothing ended", async () => {
    sb = makeSandbox();
    const r = await scenario(String.raw`
entry survivor s3
n=0
for input in '' 'nope' '[]' '{"reason":"other"}' '{"session_id":42,"reason":"other"}' '{"session_id":"s3","reason":["other"]}' '{"session_id":["s3"],"reason":"other"}'; do
  n=$((n + 1))
  out=$(printf '%s' "$input" | sv hook session-end 2> "$D/err$n"); code=$?
  echo "BAD$n $out $code $(wc -l < "$D/err$n")"
done
echo "ALIVE_AFTER $(alive $W_survivor)"
`);
    expect(r.stderr).toBe("");
    for (let n = 1; n <= 7; n++) expect(`${n}: ${r.values.get(`BAD${n}`)}`).toBe(`${n}: {} 0 1`);
    expect(r.values.get("ALIVE_AFTER")).toBe("yes");
  });
});
