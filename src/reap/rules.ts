// What the reaper may end, as pure functions over a snapshot of the process table and
// the ledger. Nothing here reads /proc or sends a signal: every rule and every exclusion
// is table-tested (test/reap/rules.test.ts).

import { carriesKeep, hasAgentMarker, sessionCookieOf } from "../ownership/cookie.ts";
import { ownedByAnother, type SessionOwnership } from "../ownership/session-owner.ts";
import { mayEnd } from "../policy/lifecycle.ts";
import { commandLine, descendsFrom, isOrphaned, type ProcessTable, type ProcInfo } from "../ownership/process-table.ts";
import { isProtected, keepMarkOf, type KeepSettings } from "../policy/keep.ts";
import { CLOCK_TICKS_PER_SECOND } from "../proc/boot.ts";
import { isGone } from "../proc/stat.ts";

export interface RuleSettings extends KeepSettings {
  thresholdsMs: { rg: number; rgTag: number; agentShell: number; sessionGone: number };
  rgNames: readonly string[];
  shellNames: readonly string[];
  tagPattern: RegExp;
}

/** Facts about the moment and the reaper itself. */
export interface Surroundings {
  /** Now, in clock ticks since boot (the unit of start times). */
  nowTicks: number;
  ownUid: number;
  /** The reaper's own pid and its ancestors' pids. */
  lineage: ReadonlySet<number>;
  /** `systemd --user` instances: orphans are reparented to them, not to pid 1. */
  subreapers: ReadonlySet<number>;
  /** Only what provably belongs to this agent session (`reap --session`). */
  session: string | null;
  /** At SessionEnd: the agent process that is ending (its hook's agent); null when unknown. */
  endingAgent?: number | null;
}

export type OrphanReason = "rg" | "rg-tag" | "agent-shell" | "session-gone" | "session-end";
export type SkipWhy =
  | "kept"
  | "owner-alive"
  | "init"
  | "kernel-thread"
  | "other-user"
  | "ancestor"
  | "not-a-target"
  | "has-parent"
  | "protected"
  | "unreadable"
  | "no-signature"
  | "other-session"
  | "too-young";

export type Verdict = { kind: "target"; reason: OrphanReason } | { kind: "zombie"; reason: OrphanReason } | { kind: "skip"; why: SkipWhy };

const SNAPSHOT_DIR = ".claude/shell-snapshots/";

export function ageMs(proc: Pick<ProcInfo, "startTicks">, nowTicks: number): number {
  return Math.max(0, ((nowTicks - proc.startTicks) * 1000) / CLOCK_TICKS_PER_SECOND);
}

/** Never signalled, whatever else is true: pid 1, kernel threads, other users, ourselves and our ancestors. */
export function untouchable(proc: ProcInfo, around: Surroundings): SkipWhy | null {
  if (proc.pid <= 1) return "init";
  if (proc.kernel) return "kernel-thread";
  if (proc.uid === null || proc.uid !== around.ownUid) return "other-user";
  if (around.lineage.has(proc.pid)) return "ancestor";
  return null;
}

/** A shell an agent started: CLAUDECODE=1 or a session id in its environment, or Claude Code's snapshot in its arguments. */
export function hasAgentSignature(proc: Pick<ProcInfo, "argv" | "environ">): boolean {
  if (hasAgentMarker(proc.environ) || sessionCookieOf(proc.environ) !== null) return true;
  return proc.argv !== null && proc.argv.some((word) => word.includes(SNAPSHOT_DIR));
}

/** Which rule family a process belongs to, by its comm (the snapshot reads argv only for these names). */
export function targetKind(proc: Pick<ProcInfo, "comm">, settings: RuleSettings): "rg" | "shell" | null {
  if (settings.rgNames.includes(proc.comm)) return "rg";
  if (settings.shellNames.includes(proc.comm)) return "shell";
  return null;
}

/** The rules for processes no ledger entry accounts for; `ownerAlive`: its session's agent is provably alive. */
export function classifyUnledgered(proc: ProcInfo, settings: RuleSettings, around: Surroundings, ownerAlive = false): Verdict {
  const forbidden = untouchable(proc, around);
  if (forbidden) return { kind: "skip", why: forbidden };
  if (carriesKeep(proc.environ)) return { kind: "skip", why: "kept" };
  const kind = targetKind(proc, settings);
  if (kind === null) return { kind: "skip", why: "not-a-target" };
  if (!isOrphaned(proc, around.subreapers)) return { kind: "skip", why: "has-parent" };
  const age = ageMs(proc, around.nowTicks);
  // A zombie has no command line or environment left: report it by name and age, never signal it.
  if (isGone(proc)) {
    const threshold = kind === "rg" ? settings.thresholdsMs.rg : settings.thresholdsMs.agentShell;
    return age >= threshold ? { kind: "zombie", reason: kind === "rg" ? "rg" : "agent-shell" } : { kind: "skip", why: "too-young" };
  }
  const line = commandLine(proc);
  if (line === null) return { kind: "skip", why: "unreadable" };
  if (isProtected(line, settings.protect)) return { kind: "skip", why: "protected" };
  if (around.session !== null && sessionCookieOf(proc.environ)?.session !== around.session) {
    return { kind: "skip", why: "other-session" };
  }
  if (kind === "rg") {
    // Arguments only, so a tag in the binary's path does not count.
    const args = proc.argv!.slice(1).join(" ");
    if (settings.tagPattern.test(args) && age >= settings.thresholdsMs.rgTag) return { kind: "target", reason: "rg-tag" };
    return age >= settings.thresholdsMs.rg ? { kind: "target", reason: "rg" } : { kind: "skip", why: "too-young" };
  }
  if (!hasAgentSignature(proc)) return { kind: "skip", why: "no-signature" };
  // A shell of a live session is that session's business.
  if (ownerAlive) return { kind: "skip", why: "owner-alive" };
  return age >= settings.thresholdsMs.agentShell ? { kind: "target", reason: "agent-shell" } : { kind: "skip", why: "too-young" };
}

/**
 * A leftover of an agent session: in the session scope (a same-user orphan or below one),
 * carrying a session cookie. `session-gone` once its owner is proven gone and it is older
 * than reap.thresholds.sessionGone; `session-end` for the session that is ending, whatever
 * its age. Never a kept process, nor anything below one. Null: the rule does not speak.
 */
export function classifySessionLeftover(
  proc: ProcInfo,
  owned: SessionOwnership,
  settings: RuleSettings,
  around: Surroundings,
  table: ProcessTable,
  ending: string | null,
): Verdict | null {
  if (!proc.inSessionScope || isGone(proc)) return null;
  const reason = ending !== null ? "session-end" : "session-gone";
  if (ending !== null ? owned.cookie.session !== ending : owned.owner !== "gone") return null;
  // The ending agent's own children (its hook, MCP servers, tool shells) are its to end.
  const parentIsOurs = proc.ppid > 1 && !around.subreapers.has(proc.ppid) && around.lineage.has(proc.ppid);
  if (ending !== null && (parentIsOurs || descendsFrom(proc, owned.cookie.ownerPid, table))) return null;
  const forbidden = untouchable(proc, around);
  if (forbidden) return { kind: "skip", why: forbidden };
  if (around.session !== null && owned.cookie.session !== around.session) return { kind: "skip", why: "other-session" };
  const decision = mayEnd(ending !== null ? "session-end" : "sweep", {
    tie: "session-leftover",
    kept: keepMarkOf(proc, settings, table.byPid, around.subreapers),
    keepOrphaned: false,
    // Two live CLIs can share a session id (a resumed open session): the other one's processes are its own.
    otherLiveOwner: ending !== null && ownedByAnother(owned, around.endingAgent ?? null),
    // Read from our own scan: pids are ours; the owner's proof checked its namespace.
    sameNamespace: true,
    sameUser: proc.uid === around.ownUid,
    proof: ending !== null ? "session-ending" : "owner-gone",
  });
  if (!decision.end) return { kind: "skip", why: decision.why === "kept" ? "kept" : decision.why === "other-live-owner" ? "owner-alive" : "not-a-target" };
  if (reason === "session-gone" && ageMs(proc, around.nowTicks) < settings.thresholdsMs.sessionGone) return { kind: "skip", why: "too-young" };
  return { kind: "target", reason };
}

export type EntryVerdict = "running" | "owner-dead" | "overdue" | "lost" | "unknown" | "kept";

export interface EntryFacts {
  bootMatches: boolean;
  /** null: the wrapper's identity was never recorded, so it can be proven neither alive nor dead. */
  wrapperAlive: boolean | null;
  /** Processes of the entry still alive (proven group members and cookie carriers). */
  alive: number;
  deadlineAt: number | null;
  /** null: the entry never escalates to SIGKILL, so it is never overdue. */
  graceMs: number | null;
  /** The agent that owned it: null when none was recorded. */
  ownerAlive?: boolean | null;
  /** Started with --keep-orphaned (or run.onOrphan "keep"): no sweep ends it, only `supervise kill`. */
  keep?: boolean;
  /** The wrapper and everything of it are stopped: the user's Ctrl-Z (the wrapper stops its command's group, then itself). */
  jobStopped?: boolean;
}

/** How long after deadline + grace a live wrapper is considered not to be enforcing it. */
export const OVERDUE_SLACK_MS = 10_000;

/** A `running` ledger entry, judged against what is alive now. */
export function classifyEntry(facts: EntryFacts, now: number): EntryVerdict {
  const verdict = judgeEntry(facts, now);
  return facts.keep && (verdict === "owner-dead" || verdict === "overdue") ? "kept" : verdict;
}

function judgeEntry(facts: EntryFacts, now: number): EntryVerdict {
  // After a reboot nothing of the entry can be alive; its pids now name other processes.
  if (!facts.bootMatches) return "lost";
  // Nothing alive is lost whatever is known of the wrapper, as `ls` says (entry/liveness.ts).
  if (facts.alive === 0 && facts.wrapperAlive !== true) return "lost";
  if (facts.wrapperAlive === null) return "unknown";
  if (!facts.wrapperAlive) return "owner-dead";
  // The wrapper outlived the agent that started it (its own parent, the agent's shell, lives
  // on): what it supervises has no owner any more.
  if (facts.ownerAlive === false && facts.alive > 0) return "owner-dead";
  // Suspended by its user: its deadline fires when it is continued.
  if (facts.jobStopped) return "running";
  if (facts.deadlineAt !== null && facts.graceMs !== null && now > facts.deadlineAt + facts.graceMs + OVERDUE_SLACK_MS) return "overdue";
  return "running";
}
