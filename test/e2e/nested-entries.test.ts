// A nested `supervise run` is an entry of its own: its wrapper carries the outer entry's
// cookie and sits in its group, but only the outer entry's own deadline and signals reach
// into it (the inner wrapper forwards them). The outer's leftover cleanup, a `kill` of the
// ended outer entry and a sweep leave it to its own wrapper and policy. Inside a PID namespace.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

describe("a nested supervise run inside an entry", () => {
  nsTest(
    "an inner --keep-orphaned entry outlives the outer's exit, a `kill` of the ended outer entry and a sweep; `kill` of the inner ends it",
    async () => {
      sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
      const r = await inNamespace(
        sb,
        String.raw`
# The outer command exits once the inner command runs (the test below has it exit at once).
sv run -n outer -- bash -c '"$BUN" "$CLI" run -n inner --keep-orphaned -d 0 -- sh -c "touch \"\$D/inner.up\"; exec sleep 1000" </dev/null >/dev/null 2>&1 & until [ -e "$D/inner.up" ]; do sleep 0.02; done; exit 0'
echo "OUTER_EXIT $?"
wait_until '[ -n "$(entry_field inner pid)" ]'
INNER=$(entry_field inner pid)
OUTER_ID=$(entry_field outer id); INNER_ID=$(entry_field inner id)
echo "AFTER_EXIT $(alive $INNER) $(entry_field inner state)"
sv kill --grace 1s "$OUTER_ID" >/dev/null 2>&1; echo "KILL_OUTER $?"
echo "AFTER_KILL_OUTER $(alive $INNER) $(entry_field inner state)"
echo "REPORT $(sv reap --json | "$BUN" -e 'console.log((await Bun.stdin.json()).targets.length)')"
echo "AFTER_REAP $(alive $INNER)"
sv kill --grace 1s "$INNER_ID" >/dev/null; echo "KILL_INNER $?"
wait_until '[ "$(alive $INNER)" = no ]'
echo "AFTER_KILL_INNER $(alive $INNER) $(entry_field inner state)"
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const v = r.values;
      expect(v.get("OUTER_EXIT")).toBe("0");
      expect(v.get("AFTER_EXIT")).toBe("yes running");
      expect(v.get("AFTER_KILL_OUTER")).toBe("yes running");
      expect(v.get("REPORT")).toBe("0");
      expect(v.get("AFTER_REAP")).toBe("yes");
      expect(v.get("KILL_INNER")).toBe("0");
      expect(v.get("AFTER_KILL_INNER")).toBe("no killed");
    },
    60_000,
  );

  nsTest(
    "known by its command line too: an inner command that drops its environment (env -i), and an inner wrapper still starting, are left by the outer's exit, a `kill` of it and a sweep; a namesake program is not",
    async () => {
      sb = makeSandbox({ reap: { grace: "1s", timeoutMs: 5000 } });
      const r = await inNamespace(
        sb,
        String.raw`
# The inner command carries no cookie at all: no child of the inner wrapper shows another SUPERVISE_ID.
sv run -n outer1 -- bash -c '"$BUN" "$CLI" run -n bare --keep-orphaned -d 0 -- env -i sh -c "touch $D/bare.up; exec sleep 1000" </dev/null >/dev/null 2>&1 & until [ -e "$D/bare.up" ]; do sleep 0.02; done; exit 0'
# The outer command exits at once, while the inner wrapper is still starting (Bun's start, no row, no command yet).
sv run -n outer2 -- bash -c '"$BUN" "$CLI" run -n early --keep-orphaned -d 0 -- sleep 1001 </dev/null >/dev/null 2>&1 & exit 0'
# A program that only shares the name of a tool called supervise (daemontools) is no wrapper: the outer's exit ends it.
cp "$(command -v sleep)" "$D/supervise"
sv run -n namesake -- sh -c '"$D/supervise" 1002 </dev/null >/dev/null 2>&1 & echo $! > "$D/namesake.pid"; exit 0'
echo "NAMESAKE $(alive $(cat "$D/namesake.pid"))"
wait_until '[ -n "$(entry_field bare pid)" ] && [ -n "$(entry_field early pid)" ]'
BARE=$(entry_field bare pid); EARLY=$(entry_field early pid)
echo "AFTER_EXIT $(alive $BARE) $(alive $EARLY)"
sv kill --grace 1s "$(entry_field outer1 id)" "$(entry_field outer2 id)" >/dev/null 2>&1
echo "AFTER_KILL_OUTER $(alive $BARE) $(alive $EARLY)"
sv reap >/dev/null 2>&1
echo "AFTER_REAP $(alive $BARE) $(alive $EARLY) $(entry_field bare state) $(entry_field early state)"
sv kill --grace 1s "$(entry_field bare id)" "$(entry_field early id)" >/dev/null
`,
      );
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      expect(r.values.get("NAMESAKE")).toBe("no");
      expect(r.values.get("AFTER_EXIT")).toBe("yes yes");
      expect(r.values.get("AFTER_KILL_OUTER")).toBe("yes yes");
      expect(r.values.get("AFTER_REAP")).toBe("yes yes running running");
    },
    60_000,
  );

  nsTest("the outer entry's own deadline still reaches the inner one (its wrapper forwards it), as nested GNU timeouts do", async () => {
    sb = makeSandbox();
    const r = await inNamespace(
      sb,
      String.raw`
sv run -n outer -d 1s -g 1s -- bash -c '"$BUN" "$CLI" run -n inner -d 0 -- sleep 1000 </dev/null >/dev/null 2>&1; exit 0'
echo "OUTER_EXIT $?"
INNER=$(entry_field inner pid)
wait_until '[ "$(alive $INNER)" = no ]'
echo "INNER $(entry_field inner state)"
`,
    );
    expect(r.stderr).toBe("");
    expect(r.values.get("OUTER_EXIT")).toBe("124");
    expect(r.values.get("INNER")).toBe("killed");
  });
});
