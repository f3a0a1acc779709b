// Every agent's hooks fed hostile input (empty, not JSON, fields of the wrong type, huge,
// absurdly nested): each answers with that agent's valid JSON, exits 0 and writes exactly
// one stderr line. Inside a PID namespace, because SessionStart sweeps whatever it is given.

import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { SessionStartOutputSchema } from "../helpers/contract.ts";
import { inNamespace, namespaceUnavailable } from "../helpers/namespace.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

const nsTest = namespaceUnavailable ? test.skip : test;

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const AGENTS = ["claude-code", "gemini", "codex"] as const;
const EVENTS = ["session-start", "session-end", "pre-tool-use"] as const;

const WRONG_TYPES = {
  session_id: 42,
  cwd: ["/"],
  reason: 7,
  source: {},
  tool_name: "run_shell_command",
  tool_input: { command: ["rm", "-rf", "/"], run_in_background: "yes", is_background: "yes" },
};
const INPUTS: Record<string, string> = {
  empty: "",
  "not JSON": "{\"session_id\": \"s\", ",
  "wrong types": JSON.stringify(WRONG_TYPES),
  huge: JSON.stringify({ session_id: "s", tool_name: "Bash", tool_input: { command: "x".repeat(6_000_000), run_in_background: true } }),
  nested: `${"[".repeat(200_000)}${"]".repeat(200_000)}`,
};

nsTest("each agent, each event, each kind of hostile input: valid JSON, exit 0, one stderr line", async () => {
  sb = makeSandbox({ hooks: { reapInterval: "none" } });
  const names = Object.keys(INPUTS);
  names.forEach((name, i) => writeFileSync(join(sb!.dir, `input-${i}`), INPUTS[name]!));
  const r = await inNamespace(
    sb,
    String.raw`
for agent in ${AGENTS.join(" ")}; do for event in ${EVENTS.join(" ")}; do for i in ${names.map((_, i) => i).join(" ")}; do
  sv hook --agent $agent $event < "$D/input-$i" > "$D/out" 2> "$D/err"
  echo "RESULT $agent $event $i $? $(wc -l < "$D/err") $(tr -d '\n' < "$D/out")"
done; done; done
`,
    120_000,
  );
  expect(r.stderr).toBe("");
  const results = r.stdout.split("\n").filter((line) => line.startsWith("RESULT "));
  expect(results).toHaveLength(AGENTS.length * EVENTS.length * names.length);
  for (const line of results) {
    const [, agent, event, i, status, stderrLines, ...answer] = line.split(" ");
    const label = `${agent} ${event} ${names[Number(i)]}`;
    expect({ label, status, stderrLines }).toEqual({ label, status: "0", stderrLines: "1" });
    const json = JSON.parse(answer.join(" "));
    if (event === "session-start") expect(SessionStartOutputSchema.safeParse(json).success).toBe(true);
    else expect({ label, json }).toEqual({ label, json: {} });
  }
}, 150_000);
