// What running commands are doing, judged by their wrappers inside a PID namespace (issue 23):
// a stall, a server that idles, a prompt nobody answers, a spin; and --idle-timeout, which ends
// the stalled one and never the serving one. run.stallAfter is 1 s.

import { afterEach, describe, expect, test } from "bun:test";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const nsTest = namespaceUnavailable ? test.skip : test;

describe("activity, inside a PID namespace", () => {
  nsTest(
    "stalled, serving, waiting-input and spinning, each from real processes; --idle-timeout ends the stalled command (124, reason stalled) and leaves the serving one",
    async () => {
      sb = makeSandbox({ run: { stallAfter: "1s" } });
      const r = await inNamespace(
        sb,
        String.raw`
printf 'import socket, time\ns = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); time.sleep(100)\n' > "$D/server.py"
sv run -n idle -- sleep 100 > "$D/idle.out" 2>&1 &
sv run -n server -- python3 "$D/server.py" > /dev/null 2>&1 &
sleep 100 | sv run -n prompt -- sh -c 'printf "Continue? "; read -r x' > "$D/prompt.out" 2>&1 &
sv run -n spin -- sh -c 'while :; do :; done' > /dev/null 2>&1 &
wait_until '[ "$(entry_field idle activity)" = stalled ] && [ "$(entry_field server activity)" = serving ] && [ "$(entry_field prompt activity)" = waiting-input ] && [ "$(entry_field spin activity)" = spinning ]'
sleep 1.5
echo "STILL $(entry_field idle activity) $(entry_field server activity) $(entry_field prompt activity) $(entry_field spin activity)"
echo "LAST $(entry_field prompt lastLine)"
sv run --idle-timeout 1s -n idle-limited -- sleep 100; echo "IDLE_EXIT $?"
sv run --idle-timeout 1s -n server-limited -- python3 "$D/server.py" > /dev/null 2>&1 &
wait_until '[ "$(entry_field server-limited activity)" = serving ]'
sleep 2.5
echo "SERVER_LIMITED $(entry_field server-limited state) $(entry_field server-limited activity)"
echo "LIMITED $(entry_field idle-limited state) $(entry_field idle-limited reason)"
sv kill --all > /dev/null
`,
        60_000,
      );
      expect(r.stderr).toBe("");
      expect(r.values.get("STILL")).toBe("stalled serving waiting-input spinning");
      expect(r.values.get("LAST")).toBe("Continue?");
      expect(r.values.get("IDLE_EXIT")).toBe("124");
      expect(r.values.get("LIMITED")).toBe("killed stalled");
      expect(r.values.get("SERVER_LIMITED")).toBe("running serving");
    },
    60_000,
  );
});
