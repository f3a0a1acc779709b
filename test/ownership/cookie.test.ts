import { describe, expect, test } from "bun:test";
import { carriesKeep, environVar, hasAgentMarker, parseOwnerPid, sessionCookieOf } from "../../src/ownership/cookie.ts";

const env = (...entries: string[]) => entries.join("\0");

describe("parseOwnerPid: junk is unknown (null)", () => {
  const cases: Array<[string | undefined, number | null]> = [
    ["1200", 1200],
    ["2", 2],
    ["4194304", 4194304],
    ["1", null],
    ["0", null],
    ["", null],
    [undefined, null],
    ["abc", null],
    ["-5", null],
    ["12a", null],
    [" 12", null],
    ["12 ", null],
    ["1e3", null],
    ["0x10", null],
    ["4194305", null],
    ["99999999", null],
    ["9".repeat(400), null],
    ["12.0", null],
  ];
  for (const [text, expected] of cases) test(JSON.stringify(text), () => expect(parseOwnerPid(text)).toBe(expected));
});

describe("sessionCookieOf", () => {
  const cases: Array<[string, string | null, unknown]> = [
    ["Claude Code's cookie", env("CLAUDECODE=1", "CLAUDE_CODE_SESSION_ID=s-1", "CLAUDE_PID=900"), { agent: "claude-code", session: "s-1", ownerPid: 900 }],
    ["no owner pid (before 2.1.214)", env("CLAUDE_CODE_SESSION_ID=s-1"), { agent: "claude-code", session: "s-1", ownerPid: null }],
    ["junk owner pid", env("CLAUDE_CODE_SESSION_ID=s-1", "CLAUDE_PID=1"), { agent: "claude-code", session: "s-1", ownerPid: null }],
    ["an empty session id is none", env("CLAUDE_CODE_SESSION_ID=", "CLAUDE_PID=900"), null],
    ["no cookie", env("HOME=/h", "PATH=/bin"), null],
    ["unreadable environment", null, null],
    ["empty environment", "", null],
    ["the first of two wins, as getenv", env("CLAUDE_CODE_SESSION_ID=a", "CLAUDE_CODE_SESSION_ID=b"), { agent: "claude-code", session: "a", ownerPid: null }],
    ["a value holding = and NULs around", env("", "CLAUDE_CODE_SESSION_ID=x=y", ""), { agent: "claude-code", session: "x=y", ownerPid: null }],
    ["a name that only starts like it", env("CLAUDE_CODE_SESSION_ID_OLD=s", "XCLAUDE_CODE_SESSION_ID=t"), null],
    ["Codex's thread: a session with no owner pid", env("CODEX_THREAD_ID=01a2", "CODEX_SESSION_ID=01a2", "CODEX_CI=1"), { agent: "codex", session: "01a2", ownerPid: null }],
    ["Codex started inside a Claude Code session: the outer session owns it", env("CODEX_THREAD_ID=01a2", "CLAUDE_CODE_SESSION_ID=s-1", "CLAUDE_PID=900"), { agent: "claude-code", session: "s-1", ownerPid: 900 }],
  ];
  for (const [name, environ, expected] of cases) test(name, () => expect(sessionCookieOf(environ)).toEqual(expected as never));
});

describe("markers and keep", () => {
  test("CLAUDECODE=1 is the marker; other values are not", () => {
    expect(hasAgentMarker(env("CLAUDECODE=1"))).toBe(true);
    expect(hasAgentMarker(env("CLAUDECODE=0"))).toBe(false);
    expect(hasAgentMarker(env("CLAUDECODE=11"))).toBe(false);
    expect(hasAgentMarker(null)).toBe(false);
  });
  test("SUPERVISE_KEEP=1 only", () => {
    expect(carriesKeep(env("SUPERVISE_KEEP=1"))).toBe(true);
    for (const value of ["0", "", "true", "yes", " 1"]) expect(carriesKeep(env(`SUPERVISE_KEEP=${value}`))).toBe(false);
    expect(carriesKeep(null)).toBe(false);
  });
});

describe("environVar: an entry's name is matched whole, at the start of an entry", () => {
  const cases: Array<[string, string | null, string, string | undefined]> = [
    ["first entry", env("A=1", "B=2"), "A", "1"],
    ["last entry", env("A=1", "B=2"), "B", "2"],
    ["a longer name that ends like it", env("XA=1", "A=2"), "A", "2"],
    ["a name inside a value", env("B=A=3", "C=4"), "A", undefined],
    ["empty value", env("A="), "A", ""],
    ["a value holding =", env("A=x=y"), "A", "x=y"],
    ["the first of two", env("A=1", "A=2"), "A", "1"],
    ["a name with no =", env("A", "B=2"), "A", undefined],
    ["trailing NUL", `${env("A=1")}\0`, "A", "1"],
    ["unset", env("B=2"), "A", undefined],
    ["unreadable", null, "A", undefined],
    ["empty", "", "A", undefined],
  ];
  for (const [name, environ, key, expected] of cases) test(name, () => expect(environVar(environ, key)).toBe(expected as never));
});
