// The trust key and hash Codex's own approval records (0.171.0; the e2e proves Codex accepts them).

import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { canonicalJson, snakeEvent, supervisorTrust, trustHash, trustKey } from "../../src/install/codex-trust.ts";

describe("codex trust", () => {
  test("event names in snake case, keys by file, event, group and handler", () => {
    expect(["SessionStart", "SessionEnd", "PreToolUse", "Stop"].map(snakeEvent)).toEqual(["session_start", "session_end", "pre_tool_use", "stop"]);
    expect(trustKey("/h/hooks.json", "SessionStart", 2, 0)).toBe("/h/hooks.json:session_start:2:0");
  });

  test("canonical JSON: sorted keys at every depth, compact", () => {
    expect(canonicalJson({ b: [{ z: 1, a: "x" }], a: null })).toBe('{"a":null,"b":[{"a":"x","z":1}]}');
  });

  test("the hash is sha256 of the canonical handler identity, defaults filled in, the matcher only when given", () => {
    const handler = { type: "command", command: "sv hook --agent codex session-start" };
    const identity = '{"event_name":"session_start","hooks":[{"async":false,"command":"sv hook --agent codex session-start","timeout":600,"type":"command"}]}';
    expect(trustHash("SessionStart", { hooks: [handler] }, handler)).toBe(`sha256:${createHash("sha256").update(identity).digest("hex")}`);
    expect(trustHash("SessionStart", { matcher: "startup", hooks: [handler] }, handler)).not.toBe(trustHash("SessionStart", { hooks: [handler] }, handler));
    expect(trustHash("SessionStart", { hooks: [handler] }, { ...handler, timeout: 30 })).not.toBe(trustHash("SessionStart", { hooks: [handler] }, handler));
  });

  test("only supervise's handlers are named, at their positions", () => {
    const ours = { type: "command", command: "'/b/bun' '/s/cli.ts' hook --agent codex session-end", timeout: 3 };
    const settings = { hooks: { SessionEnd: [{ hooks: [{ type: "command", command: "notify" }] }, { hooks: [{ type: "command", command: "x" }, ours] }], Stop: [{ hooks: [ours] }] } };
    expect([...supervisorTrust("/h/hooks.json", settings, ["SessionStart", "SessionEnd"]).keys()]).toEqual(["/h/hooks.json:session_end:1:1"]);
    expect(supervisorTrust("/h/hooks.json", { hooks: "junk" }, ["SessionEnd"]).size).toBe(0);
    expect(supervisorTrust("/h/hooks.json", [], ["SessionEnd"]).size).toBe(0);
  });
});
