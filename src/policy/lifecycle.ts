// The lifecycle policy: for every path that ends processes and every kind of process, may
// that path end it, and on what proof. Every automatic path asks here; the table in
// docs/safety.md is test/policy/lifecycle.test.ts written out.

import type { KeepMark } from "./keep.ts";

/**
 * Who is ending: the wrapper (deadline, --idle-timeout, a forwarded signal, its parent's death,
 * what is left at its exit), a sweep, SessionEnd, gc, `supervise kill ID`, or `supervise kill
 * --port N` (the holder of a port, which names no entry: keep marks hold).
 */
export type StopPath = "deadline" | "idle-timeout" | "signal" | "parent-died" | "leftovers" | "sweep" | "session-end" | "gc" | "kill" | "port";

/** How a process is tied to what is being ended. */
export type Tie =
  /** A member of the entry's own process group. */
  | "group"
  /** Outside the group, carrying the entry's SUPERVISE_ID, or (without it) descending from the entry's live wrapper, its subreaper. */
  | "escape"
  /** Unledgered, carrying an agent session's cookie. */
  | "session-leftover"
  /** Tied to nothing supervise knows; only the seed's rules (rg, agent shells) speak of it. */
  | "unowned";

/** What makes an automatic end legitimate (the contract's proofs); null: none. */
export type Proof =
  /** The entry's or session's owner is provably gone. */
  | "owner-gone"
  /** The entry's wrapper is alive but past deadline + grace + slack without enforcing it. */
  | "overdue"
  /** It carries the cookie of an entry that has ended (an escape after the end). */
  | "entry-ended"
  /** The seed's rule for orphaned rg and agent shells, past its age threshold. */
  | "seed-rule"
  /** The session is ending (SessionEnd with a reason in hooks.sessionEndKillOn). */
  | "session-ending"
  /** The entry's own deadline, signal, parent's death or exit. */
  | "own-entry"
  /** `kill --port` from the holder's own session (the caller's cookie, or --session). */
  | "own-session"
  /** `kill --port` on a supervise entry of no agent session (a user's own `supervise run`). */
  | "sessionless-entry";

export interface Subject {
  tie: Tie;
  /** Its own keep mark or one above it; null: none. */
  kept: KeepMark | null;
  /** Left by (or carrying the cookie of) an entry started with --keep-orphaned. */
  keepOrphaned: boolean;
  /** Left at exit by an agent's wrapped background command: it stays tied to its session. */
  sessionBound?: boolean;
  /** One of the ending agent's own children (hooks, MCP servers, tool shells). */
  agentChild?: boolean;
  /** The live wrapper of another entry (a nested `supervise run`): that entry's own wrapper and policy decide. */
  otherEntry?: boolean;
  /** Its owner is provably alive and is another process than the one ending (another live agent). */
  otherLiveOwner?: boolean;
  /** In the pid namespace that recorded it (or, unrecorded, the ender's); null: unknown. */
  sameNamespace: boolean | null;
  /** The same user as the ender; null: unknown. */
  sameUser: boolean | null;
  /** It runs the ender: supervise itself or one of its ancestors (the agent CLI, the caller's shell). */
  ender?: boolean;
  proof: Proof | null;
}

export type NotEnded =
  | "other-user"
  | "other-namespace"
  | "kept"
  | "keep-orphaned"
  | "session-bound"
  | "agent-child"
  | "other-live-owner"
  | "other-entry"
  | "not-this-path"
  | "no-proof"
  | "ender";

export type Decision = { end: true } | { end: false; why: NotEnded };

const YES: Decision = { end: true };
const no = (why: NotEnded): Decision => ({ end: false, why });

/** Which proofs each automatic path may act on. */
const PROOFS: Record<Exclude<StopPath, "kill" | "gc">, readonly Proof[]> = {
  deadline: ["own-entry"],
  "idle-timeout": ["own-entry"],
  signal: ["own-entry"],
  "parent-died": ["own-entry"],
  leftovers: ["own-entry"],
  sweep: ["owner-gone", "overdue", "entry-ended", "seed-rule"],
  "session-end": ["session-ending"],
  port: ["own-session", "owner-gone", "sessionless-entry"],
};

export function mayEnd(path: StopPath, s: Subject): Decision {
  // Whatever asked: another user's process, or a pid read in another namespace, names nothing we know.
  if (s.sameUser !== true) return no("other-user");
  if (s.sameNamespace !== true) return no("other-namespace");
  // Ending what runs the ender ends the ender, and the agent or shell that asked.
  if (s.ender) return no("ender");
  // gc forgets finished rows; it never ends a process.
  if (path === "gc") return no("not-this-path");
  // A nested entry is its own: only this entry's own limit and signals reach into it (its wrapper forwards them).
  const ownLimit = path === "deadline" || path === "idle-timeout" || path === "signal";
  if (s.otherEntry && !ownLimit) return no("other-entry");
  // The user named the entry: everything of it, kept or not.
  if (path === "kill") return s.tie === "group" || s.tie === "escape" ? YES : no("not-this-path");
  if (s.proof === null || !PROOFS[path].includes(s.proof)) return no("no-proof");
  if (path === "port") return mayEndPortHolder(s);
  if (ownLimit) {
    // The entry's own limits (a deadline, --idle-timeout) and signals reach its own group whatever it holds; beyond the group, keep marks hold.
    if (s.tie === "group") return YES;
    if (s.tie !== "escape") return no("not-this-path");
    if (s.kept) return no("kept");
    return s.keepOrphaned ? no("keep-orphaned") : YES;
  }
  if (path === "parent-died" || path === "leftovers") {
    if (s.tie !== "group" && s.tie !== "escape") return no("not-this-path");
    if (s.kept) return no("kept");
    if (s.keepOrphaned) return no("keep-orphaned");
    if (path === "leftovers" && s.sessionBound) return no("session-bound");
    return YES;
  }
  if (s.kept) return no("kept");
  if (s.keepOrphaned) return no("keep-orphaned");
  if (path === "session-end") {
    if (s.agentChild) return no("agent-child");
    if (s.otherLiveOwner) return no("other-live-owner");
    return s.tie === "unowned" ? no("not-this-path") : YES;
  }
  // A sweep: a session-bound escape is its session's leftover, judged by its session's owner.
  if (s.sessionBound && s.proof === "entry-ended") return no("session-bound");
  if (s.tie === "unowned" && s.proof !== "seed-rule") return no("no-proof");
  if (s.otherLiveOwner) return no("other-live-owner");
  return YES;
}

/** A port's holder: ours by its session or its entry, and no keep promise; the caller's own agent's children included (it named the port). */
function mayEndPortHolder(s: Subject): Decision {
  if (s.tie === "unowned") return no("no-proof");
  if (s.proof === "sessionless-entry" && s.tie !== "group" && s.tie !== "escape") return no("no-proof");
  if (s.kept) return no("kept");
  if (s.keepOrphaned) return no("keep-orphaned");
  if (s.otherLiveOwner) return no("other-live-owner");
  return YES;
}
