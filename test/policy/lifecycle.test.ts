// The lifecycle policy as one table: every path that ends processes, against every kind of
// process. docs/safety.md shows the same table; a cell changes here first.

import { describe, expect, test } from "bun:test";
import { mayEnd, type Proof, type StopPath, type Subject } from "../../src/policy/lifecycle.ts";

const PATHS: readonly StopPath[] = ["deadline", "idle-timeout", "signal", "parent-died", "leftovers", "sweep", "session-end", "gc", "kill", "port"];

/** The proof each path acts on in the table (a sweep's is the owner's proven death). */
const PROOF_OF: Record<StopPath, Proof | null> = {
  deadline: "own-entry",
  "idle-timeout": "own-entry",
  signal: "own-entry",
  "parent-died": "own-entry",
  leftovers: "own-entry",
  sweep: "owner-gone",
  "session-end": "session-ending",
  gc: null,
  kill: null,
  // `kill --port` from the holder's own session.
  port: "own-session",
};

const plain: Omit<Subject, "tie" | "proof"> = { kept: null, keepOrphaned: false, sameNamespace: true, sameUser: true };

type Row = [kind: string, subject: Omit<Subject, "proof">, cells: readonly string[], proof?: Partial<Record<StopPath, Proof | null>>];

//                                                                 deadline  idle-timeout  signal  parent-died  leftovers  sweep  session-end  gc  kill  port
const Y = "end";
const TABLE: readonly Row[] = [
  ["the entry's own group", { ...plain, tie: "group" }, [Y, Y, Y, Y, Y, Y, Y, "not-this-path", Y, Y]],
  ["an escape carrying its SUPERVISE_ID", { ...plain, tie: "escape" }, [Y, Y, Y, Y, Y, Y, Y, "not-this-path", Y, Y], { sweep: "entry-ended" }],
  ["a session leftover (unledgered, session cookie)", { ...plain, tie: "session-leftover" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, Y, "not-this-path", "not-this-path", Y]],
  ["a SUPERVISE_KEEP=1 carrier", { ...plain, tie: "escape", kept: "keep-var" }, ["kept", "kept", "kept", "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["a SUPERVISE_KEEP=1 member of the group", { ...plain, tie: "group", kept: "keep-var" }, [Y, Y, Y, "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["a reap.sessionKeep match (tmux)", { ...plain, tie: "escape", kept: "session-keep" }, ["kept", "kept", "kept", "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["a reap.protect match in the group (pytest)", { ...plain, tie: "group", kept: "protect" }, [Y, Y, Y, "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["a session leftover matching reap.protect", { ...plain, tie: "session-leftover", kept: "protect" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", "kept", "kept", "not-this-path", "not-this-path", "kept"]],
  ["a command line that cannot be read", { ...plain, tie: "escape", kept: "unreadable" }, ["kept", "kept", "kept", "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["below a kept process (the shell in tmux)", { ...plain, tie: "escape", kept: "under-kept" }, ["kept", "kept", "kept", "kept", "kept", "kept", "kept", "not-this-path", Y, "kept"]],
  ["what a --keep-orphaned entry left", { ...plain, tie: "escape", keepOrphaned: true }, ["keep-orphaned", "keep-orphaned", "keep-orphaned", "keep-orphaned", "keep-orphaned", "keep-orphaned", "keep-orphaned", "not-this-path", Y, "keep-orphaned"], { sweep: "entry-ended" }],
  ["what an agent's background command left with & (session-bound)", { ...plain, tie: "escape", sessionBound: true }, [Y, Y, Y, Y, "session-bound", "session-bound", Y, "not-this-path", Y, Y], { sweep: "entry-ended" }],
  ["the ending agent's own child (MCP server, tool shell)", { ...plain, tie: "session-leftover", agentChild: true }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, "agent-child", "not-this-path", "not-this-path", Y]],
  ["a process of another live agent (same session id)", { ...plain, tie: "session-leftover", otherLiveOwner: true }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", "other-live-owner", "other-live-owner", "not-this-path", "not-this-path", "other-live-owner"]],
  ["an orphaned rg no one owns (the seed's rule)", { ...plain, tie: "unowned" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, "not-this-path", "not-this-path", "not-this-path", "no-proof"], { sweep: "seed-rule", port: "owner-gone" }],
  // A nested `supervise run`'s wrapper in this entry's group or carrying its cookie: its own wrapper and policy decide; only this entry's own deadline and signals reach it.
  ["another entry's live wrapper (a nested supervise run), in the group", { ...plain, tie: "group", otherEntry: true }, [Y, Y, Y, "other-entry", "other-entry", "other-entry", "other-entry", "not-this-path", "other-entry", "other-entry"]],
  ["another entry's live wrapper, carrying this entry's cookie", { ...plain, tie: "escape", otherEntry: true }, [Y, Y, Y, "other-entry", "other-entry", "other-entry", "other-entry", "not-this-path", "other-entry", "other-entry"], { sweep: "entry-ended" }],
  // kill --port: the holder's session is the caller's, or its agent is proven gone, or it is an entry of no agent session.
  ["a session leftover whose agent is proven gone", { ...plain, tie: "session-leftover" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, Y, "not-this-path", "not-this-path", Y], { port: "owner-gone" }],
  ["an entry of no agent session (a user's supervise run)", { ...plain, tie: "group" }, [Y, Y, Y, Y, Y, Y, Y, "not-this-path", Y, Y], { port: "sessionless-entry" }],
  ["a session leftover of a session whose agent is not proven gone (unknown)", { ...plain, tie: "session-leftover" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, Y, "not-this-path", "not-this-path", "no-proof"], { port: null }],
  ["a session leftover cannot count as a sessionless entry", { ...plain, tie: "session-leftover" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", Y, Y, "not-this-path", "not-this-path", "no-proof"], { port: "sessionless-entry" }],
  ["a process no session or entry started (postgres)", { ...plain, tie: "unowned" }, ["not-this-path", "not-this-path", "not-this-path", "not-this-path", "not-this-path", "no-proof", "not-this-path", "not-this-path", "not-this-path", "no-proof"], { port: "owner-gone" }],
  ["the ender itself or one of its ancestors (the agent CLI, the caller's shell)", { ...plain, tie: "session-leftover", ender: true }, Array(10).fill("ender")],
  ["a process read in another pid namespace", { ...plain, tie: "group", sameNamespace: false }, Array(10).fill("other-namespace")],
  ["a pid whose namespace cannot be read", { ...plain, tie: "group", sameNamespace: null }, Array(10).fill("other-namespace")],
  ["another user's process", { ...plain, tie: "group", sameUser: false }, Array(10).fill("other-user")],
  ["a process whose owner cannot be read", { ...plain, tie: "group", sameUser: null }, Array(10).fill("other-user")],
];

describe("the lifecycle policy: path x kind of process", () => {
  for (const [kind, subject, cells, proofs] of TABLE) {
    test(kind, () => {
      const got = PATHS.map((path) => {
        const decision = mayEnd(path, { ...subject, proof: proofs && path in proofs ? proofs[path]! : PROOF_OF[path] });
        return decision.end ? Y : decision.why;
      });
      expect(Object.fromEntries(PATHS.map((p, i) => [p, got[i]]))).toEqual(Object.fromEntries(PATHS.map((p, i) => [p, cells[i]])));
    });
  }
});

describe("an automatic path needs its own proof", () => {
  const cases: Array<[StopPath, Proof | null, string]> = [
    ["sweep", null, "no-proof"],
    ["sweep", "own-entry", "no-proof"],
    ["sweep", "session-ending", "no-proof"],
    ["session-end", "owner-gone", "no-proof"],
    ["deadline", "owner-gone", "no-proof"],
    ["idle-timeout", "owner-gone", "no-proof"],
    ["leftovers", null, "no-proof"],
    ["sweep", "overdue", Y],
    ["sweep", "entry-ended", Y],
  ];
  for (const [path, proof, want] of cases) {
    test(`${path} on ${proof ?? "no proof"}: ${want}`, () => {
      const d = mayEnd(path, { ...plain, tie: "escape", proof });
      expect(d.end ? Y : d.why).toBe(want);
    });
  }
  test("an unowned process is a sweep's only by the seed's rule", () => {
    const d = mayEnd("sweep", { ...plain, tie: "unowned", proof: "owner-gone" });
    expect(d).toEqual({ end: false, why: "no-proof" });
  });
});
