// From a snapshot and the ledger to a list of targets, without touching anything: the
// sweep executes the plan, `--dry-run` prints it. Pure, so PID reuse, escapes and every
// exclusion are table-tested.

import { keepsOrphans, type EntryRow } from "../ledger/entries.ts";
import { carriesKeep } from "../ownership/cookie.ts";
import { cookieOf, type ProcessTable, type ProcInfo } from "../ownership/process-table.ts";
import { sessionOwner } from "../ownership/session-owner.ts";
import { keepMarkOf, recordedAsksToBeKept, type KeepSettings } from "../policy/keep.ts";
import { mayEnd, type Proof, type Tie } from "../policy/lifecycle.ts";
import type { RecordedSessions } from "../ownership/owner.ts";
import { entryRef, wrapperIdentity } from "../entry/liveness.ts";
import { isLiveSince, isSameLive, sameBoot } from "../proc/identity.ts";
import { nestedWrappers } from "../ownership/nested-entry.ts";
import { findEntryProcesses, type EntryProbe } from "../proc/scan.ts";
import { isGone } from "../proc/stat.ts";
import {
  ageMs,
  classifyEntry,
  classifySessionLeftover,
  classifyUnledgered,
  untouchable,
  type EntryVerdict,
  type RuleSettings,
  type Surroundings,
} from "./rules.ts";

export type TargetReason = "owner-dead" | "overdue" | "escaped" | "rg" | "rg-tag" | "agent-shell" | "session-gone" | "session-end";

export interface PlannedTarget {
  proc: ProcInfo;
  reason: TargetReason;
  ledgerId: string | null;
  /** Reported only: a zombie cannot be signalled away. */
  zombie: boolean;
}

export interface EntryDecision {
  row: EntryRow;
  verdict: EntryVerdict;
  /** A proven process group to signal as a whole (catches members forked after the scan). */
  group: { pgid: number; members: ProcInfo[] } | null;
  /** Started with --keep-orphaned, or something of it carries SUPERVISE_KEEP=1: no sweep and no SessionEnd ends it. */
  keep: boolean;
  /** How many of its processes the plan signals: an end is recorded only when something was reached. */
  targeted: number;
  /** At SessionEnd, for an entry of the ending session: whether SessionEnd may end it, else why not. Null otherwise. */
  atSessionEnd: "end" | "kept" | "other-owner" | "other-namespace" | null;
}

export interface PlanInput {
  procs: readonly ProcInfo[];
  /** Ledger rows still marked running. */
  running: readonly EntryRow[];
  /** Rows of ended entries whose cookie some process still carries, by id. */
  ended: ReadonlyMap<string, EntryRow>;
  bootId: string;
  now: number;
  settings: RuleSettings;
  around: Surroundings;
  /** Listed pids whose stat could not be read (an owner there is unknown, not gone). */
  unreadable?: ReadonlySet<number>;
  /** Every agent its session's SessionStart hooks recorded, by sessionKey, newest first. */
  sessions?: RecordedSessions;
  /** Codex's thread lock (ProcessTable.threadLock). */
  threadLock?: ProcessTable["threadLock"];
  /** The sweeper's own pid namespace: an entry recorded in another is unknown here. Undefined: not checked (tests). */
  namespace?: string | null;
  /** Whether a process the snapshot did not read the namespace of (one with no cookie) is in ours, asked only of what may be ended. */
  sameNamespaceOf?: (proc: ProcInfo) => boolean | null;
  /**
   * SessionEnd of this session: the plan holds only its unledgered leftovers (reason
   * session-end); ledger entries are claimed as in a sweep, and judged by the hook itself.
   */
  ending?: string | null;
}

export interface Plan {
  targets: PlannedTarget[];
  entries: EntryDecision[];
}

/** The ids of ended entries a live process still carries: the rows the plan needs beyond the running ones. */
export function carriedCookies(procs: readonly ProcInfo[]): Set<string> {
  const ids = new Set<string>();
  for (const proc of procs) {
    const id = isGone(proc) ? null : cookieOf(proc);
    if (id) ids.add(id);
  }
  return ids;
}

/**
 * Four passes, each claiming what it decides so that later ones leave it alone: the running
 * ledger entries (their processes and wrappers), the escapes from ended entries, everything
 * unledgered (session leftovers and the seed's rules), then the zombies under a target.
 */
export function planSweep(input: PlanInput): Plan {
  const view = snapshotView(input);
  const ledgered = judgeEntries(input, view);
  const escaped = findEscapes(input, view, ledgered.claimed);
  const unledgered = judgeUnledgered(input, view, escaped.claimed);
  // A process of another pid namespace is never a target: ending a namespace's init ends all in it.
  const targets = [...ledgered.targets, ...escaped.targets, ...unledgered].filter((t) => t.zombie || inSweepNamespace(t.proc, input) === true);
  return { targets: [...targets, ...zombiesUnder(targets, input.procs)], entries: ledgered.entries };
}

/** The snapshot indexed for the passes. */
interface SnapshotView {
  live: ProcInfo[];
  byPid: Map<number, ProcInfo>;
  probe: EntryProbe;
  table: ProcessTable;
  /**
   * May a sweep end this process of an entry, by the lifecycle policy? `within`: the processes
   * whose keep marks count for it (an entry's own; its wrapper and the agent above are not kept marks of it).
   */
  signallable: (proc: ProcInfo, tie: Tie, proof: Proof, row: EntryRow | null, within?: ReadonlyMap<number, ProcInfo>) => boolean;
  /** Is this process of entry `id` the live wrapper of another entry (a nested `supervise run`)? */
  nestedIn: (proc: ProcInfo, id: string) => boolean;
}

function snapshotView(input: PlanInput): SnapshotView {
  const byPid = new Map(input.procs.map((p) => [p.pid, p]));
  const nestedIn = nestedWrapperTest(input.procs);
  return {
    live: input.procs.filter((p) => !isGone(p)),
    byPid,
    probe: snapshotProbe(byPid, input.bootId),
    table: { byPid, unreadable: input.unreadable ?? new Set<number>(), sessions: input.sessions, threadLock: input.threadLock },
    nestedIn,
    signallable: (proc, tie, proof, row, within) =>
      untouchable(proc, input.around) === null &&
      mayEnd("sweep", {
        tie,
        kept: keepMarkOf(proc, keepFor(input.settings, row), within ?? byPid, input.around.subreapers, within !== undefined),
        keepOrphaned: row !== null && keepsOrphans(row),
        sessionBound: row !== null && row.session_bound === 1,
        otherEntry: row !== null && !isWrapperOf(proc, row) && nestedIn(proc, row.id),
        // A namespace's init in the group is not ours to end (ending it ends everything in it): no group send either.
        sameNamespace: inSweepNamespace(proc, input),
        sameUser: proc.uid === input.around.ownUid,
        proof,
      }).end,
  };
}

interface Pass {
  targets: PlannedTarget[];
  /** Every pid decided so far, this pass's included. */
  claimed: ReadonlySet<number>;
}

/** Each running entry's verdict; what of it is alive is claimed whatever the verdict. */
function judgeEntries(input: PlanInput, view: SnapshotView): Pass & { entries: EntryDecision[] } {
  const { around } = input;
  const claimed = new Set<number>();
  const targets: PlannedTarget[] = [];
  const entries: EntryDecision[] = [];
  for (const row of input.running) {
    // Its pids were recorded in another pid namespace: here they name other processes.
    if (input.namespace !== undefined && row.pid_namespace !== null && row.pid_namespace !== input.namespace) {
      if (around.session === null || row.session === around.session) entries.push({ row, verdict: "unknown", group: null, keep: keepsOrphans(row), targeted: 0, atSessionEnd: sessionEndFor(row, input, "other-namespace") });
      continue;
    }
    const bootMatches = sameBoot(row.boot_id, input.bootId);
    const found = bootMatches ? findEntryProcesses(entryRef(row), view.live, view.probe) : { members: [], carriers: [], groupProven: false };
    const mine = [...found.members, ...found.carriers];
    for (const p of mine) claimed.add(p.pid);
    const wrapper = bootMatches ? liveWrapper(row, view.byPid) : null;
    if (wrapper) claimed.add(wrapper.pid);
    if (around.session !== null && row.session !== around.session) continue;

    // Started to outlive its owner, or something of it carries SUPERVISE_KEEP=1.
    const keep = keepsOrphans(row) || mine.some((p) => carriesKeep(p.environ));
    const verdict = classifyEntry(
      {
        bootMatches,
        wrapperAlive: row.wrapper_start_ticks === null ? null : wrapper !== null,
        alive: mine.length,
        deadlineAt: row.deadline_at,
        graceMs: row.grace_ms,
        ownerAlive: recordedOwnerAlive(row, view),
        keep,
        jobStopped: wrapper !== null && isStopped(wrapper) && mine.length > 0 && mine.every(isStopped),
      },
      input.now,
    );
    let group: EntryDecision["group"] = null;
    const before = targets.length;
    if ((input.ending ?? null) === null && (verdict === "owner-dead" || verdict === "overdue")) {
      const proof = verdict === "owner-dead" ? "owner-gone" : "overdue";
      const members = new Set(found.members);
      const own = new Map(mine.map((p) => [p.pid, p]));
      const allowed = mine.filter((p) => view.signallable(p, members.has(p) ? "group" : "escape", proof, row, own));
      for (const proc of allowed) targets.push({ proc, reason: verdict, ledgerId: row.id, zombie: false });
      // The group as a whole only when every member may be signalled: never a group holding a kept or protected member.
      if (found.groupProven && row.pgid !== null && found.members.every((p) => allowed.includes(p))) group = { pgid: row.pgid, members: found.members };
      // The wrapper, once signalled, enforces its own deadline on its group: only when all of it may end.
      const whole = allowed.length === mine.length;
      if (verdict === "overdue" && whole && wrapper && view.signallable(wrapper, "group", proof, row, new Map([[wrapper.pid, wrapper]]))) targets.push({ proc: wrapper, reason: "overdue", ledgerId: row.id, zombie: false });
    }
    const atSessionEnd = sessionEndFor(row, input, keep ? "kept" : otherLiveOwner(row, input, view.byPid) ? "other-owner" : "end");
    entries.push({ row, verdict, group, keep, targeted: targets.length - before, atSessionEnd });
  }
  return { targets, claimed, entries };
}

/** An entry of the ending session: what SessionEnd may do with it; null for every other entry. */
function sessionEndFor(row: EntryRow, input: PlanInput, answer: NonNullable<EntryDecision["atSessionEnd"]>): EntryDecision["atSessionEnd"] {
  return input.ending != null && row.session === input.ending ? answer : null;
}

/** The entry's recorded owner is alive and is not the agent that is ending (another live CLI of the same session). */
function otherLiveOwner(row: EntryRow, input: PlanInput, byPid: ReadonlyMap<number, ProcInfo>): boolean {
  if (row.owner_pid === null || row.owner_start_ticks === null) return false;
  return liveProcess(row.owner_pid, row.owner_start_ticks, byPid) !== null && row.owner_pid !== (input.around.endingAgent ?? null);
}

/** Processes carrying the cookie of an entry that already ended. */
function findEscapes(input: PlanInput, view: SnapshotView, before: ReadonlySet<number>): Pass {
  const claimed = new Set(before);
  const targets: PlannedTarget[] = [];
  for (const proc of view.live) {
    if (claimed.has(proc.pid)) continue;
    const id = cookieOf(proc);
    if (id === null) continue;
    // Every cookie carrier is decided here. One whose entry the ledger does not hold (a ledger
    // lost or moved aside, a forged cookie) is unknown: it may be what --keep-orphaned kept.
    claimed.add(proc.pid);
    const ended = input.ended.get(id);
    if (!ended || !escapedFrom(proc, ended, input.bootId)) continue;
    if (input.around.session !== null && ended.session !== input.around.session) continue;
    // Recorded in another pid namespace: its row says nothing of the processes here.
    if (input.namespace !== undefined && ended.pid_namespace !== null && ended.pid_namespace !== input.namespace) continue;
    // Left running on purpose: the entry was started to keep what outlives it, or it asks to be kept.
    if (keepsOrphans(ended) || carriesKeep(proc.environ)) continue;
    const reason = escapeReason(proc, ended, input, view);
    if (reason) targets.push({ proc, reason, ledgerId: ended.id, zombie: false });
  }
  return { targets, claimed };
}

/**
 * What ends an escape, if anything: at SessionEnd, the ending session's (what its own agent
 * owns); what a session-bound entry left, once that entry's owner is provably gone; any
 * other, at once. Judged by the entry's owner, not the process's cookie: Gemini's carry none.
 */
function escapeReason(proc: ProcInfo, ended: EntryRow, input: PlanInput, view: SnapshotView): TargetReason | null {
  const within = escapesOf(ended.id, view);
  const kept = keepMarkOf(proc, keepFor(input.settings, ended), within, input.around.subreapers, true);
  const subject = { tie: "escape" as const, kept, keepOrphaned: false, sessionBound: ended.session_bound === 1, otherEntry: view.nestedIn(proc, ended.id), sameNamespace: inSweepNamespace(proc, input), sameUser: proc.uid === input.around.ownUid };
  if (untouchable(proc, input.around) !== null) return null;
  if (input.ending != null) {
    if (ended.session !== input.ending) return null;
    const agentChild = proc.ppid > 1 && input.around.lineage.has(proc.ppid);
    const decision = mayEnd("session-end", { ...subject, agentChild, otherLiveOwner: otherLiveOwner(ended, input, view.byPid), proof: "session-ending" });
    return decision.end ? "session-end" : null;
  }
  if (ended.session_bound !== 1) return view.signallable(proc, "escape", "entry-ended", ended, within) ? "escaped" : null;
  const ownerAlive = recordedOwnerAlive(ended, view) ?? cookieOwnerAlive(proc, view);
  if (ownerAlive !== false || ageMs(proc, input.around.nowTicks) < input.settings.thresholdsMs.sessionGone) return null;
  return mayEnd("sweep", { ...subject, sessionBound: false, proof: "owner-gone" }).end ? "session-gone" : null;
}

/** The live processes carrying this entry's cookie: where an escape's keep marks are looked for. */
function escapesOf(id: string, view: SnapshotView): Map<number, ProcInfo> {
  return new Map(view.live.filter((p) => cookieOf(p) === id).map((p) => [p.pid, p]));
}

/** Everything no entry accounts for: a session's leftovers, else the seed's rules (rg, agent shells). */
function judgeUnledgered(input: PlanInput, view: SnapshotView, claimed: ReadonlySet<number>): PlannedTarget[] {
  const { settings, around } = input;
  const ending = input.ending ?? null;
  const targets: PlannedTarget[] = [];
  for (const proc of input.procs) {
    if (claimed.has(proc.pid)) continue;
    const owned = sessionOwner(proc, view.table);
    const leftover = owned ? classifySessionLeftover(proc, owned, settings, around, view.table, ending) : null;
    const verdict = leftover ?? (ending !== null ? null : classifyUnledgered(proc, settings, around, owned?.owner === "alive"));
    if (verdict && verdict.kind !== "skip") targets.push({ proc, reason: verdict.reason, ledgerId: null, zombie: verdict.kind === "zombie" });
  }
  return targets;
}

/** A zombie whose parent is about to be ended is cleared by that: reported with its parent. */
function zombiesUnder(targets: readonly PlannedTarget[], procs: readonly ProcInfo[]): PlannedTarget[] {
  const parents = new Map(targets.filter((t) => !t.zombie).map((t) => [t.proc.pid, t]));
  const listed = new Set(targets.map((t) => t.proc.pid));
  const zombies: PlannedTarget[] = [];
  for (const proc of procs) {
    const parent = parents.get(proc.ppid);
    if (parent && isGone(proc) && !listed.has(proc.pid)) zombies.push({ proc, reason: parent.reason, ledgerId: parent.ledgerId, zombie: true });
  }
  return zombies;
}

/** The entry's recorded owner: alive, provably gone, or null (none recorded, or its stat could not be read). */
function recordedOwnerAlive(row: EntryRow, view: SnapshotView): boolean | null {
  if (row.owner_pid === null || row.owner_start_ticks === null || view.table.unreadable.has(row.owner_pid)) return null;
  return liveProcess(row.owner_pid, row.owner_start_ticks, view.byPid) !== null;
}

/** The owner the process's own session cookie names: alive, provably gone, or null (no cookie, unknown). */
function cookieOwnerAlive(proc: ProcInfo, view: SnapshotView): boolean | null {
  const owned = sessionOwner(proc, view.table);
  return owned === null || owned.owner === "unknown" ? null : owned.owner === "alive";
}

/** The recorded wrapper, if that very process is still alive. */
function liveWrapper(row: EntryRow, byPid: ReadonlyMap<number, ProcInfo>): ProcInfo | null {
  const wrapper = wrapperIdentity(row);
  return wrapper === null ? null : liveProcess(wrapper.pid, wrapper.startTicks, byPid);
}

/** The snapshot's process with this pid and start time, if it is alive. */
function liveProcess(pid: number, startTicks: number, byPid: ReadonlyMap<number, ProcInfo>): ProcInfo | null {
  const proc = byPid.get(pid);
  return isLiveSince(startTicks, proc) ? proc : null;
}

/** A process carrying an ended entry's cookie: it must have started after that entry's wrapper, in this boot. */
function escapedFrom(proc: ProcInfo, row: EntryRow, bootId: string): boolean {
  const since = row.wrapper_start_ticks ?? row.start_ticks;
  return row.ended_at !== null && sameBoot(row.boot_id, bootId) && since !== null && proc.startTicks >= since;
}

/** Answers findEntryProcesses from the snapshot instead of re-reading /proc. */
function snapshotProbe(byPid: ReadonlyMap<number, ProcInfo>, bootId: string): EntryProbe {
  return {
    carriesCookie: (pid, id) => {
      const proc = byPid.get(pid);
      return proc !== undefined && cookieOf(proc) === id;
    },
    currentLeader: (identity) => {
      const proc = byPid.get(identity.pid);
      return isSameLive(identity, proc, bootId) ? proc : null;
    },
  };
}

/** The keep settings for a process of this entry: its recorded command may ask for keeping. */
function keepFor(settings: KeepSettings, row: EntryRow | null): KeepSettings {
  return row !== null && recordedAsksToBeKept(row.command) ? { ...settings, asked: true } : settings;
}

/** nestedWrappers over the snapshot, its children found once. */
function nestedWrapperTest(procs: readonly ProcInfo[]): (proc: ProcInfo, id: string) => boolean {
  let children: Map<number, ProcInfo[]> | null = null;
  return (proc, id) => {
    if (children === null) {
      children = new Map();
      for (const p of procs) {
        const siblings = children.get(p.ppid);
        if (siblings) siblings.push(p);
        else children.set(p.ppid, [p]);
      }
    }
    const own = children.get(proc.pid) ?? [];
    return nestedWrappers([{ pid: proc.pid, comm: proc.comm, argv: () => proc.argv }], own, id, (pid) => own.find((c) => c.pid === pid)?.environ ?? null).size > 0;
  };
}

/** The entry's own wrapper (an overdue one is signalled): it bears the wrapper's name too. */
function isWrapperOf(proc: ProcInfo, row: EntryRow): boolean {
  return proc.pid === row.wrapper_pid && proc.startTicks === row.wrapper_start_ticks;
}

/** Stopped by a signal (T), not traced (t). */
function isStopped(proc: ProcInfo): boolean {
  return proc.state === "T";
}

/**
 * In the sweep's pid namespace, as the snapshot read it, else as read now (unknown where
 * neither can say); a plan without a namespace (a pure test's) judges every process as its own.
 */
function inSweepNamespace(proc: ProcInfo, input: PlanInput): boolean | null {
  if (input.namespace === undefined) return true;
  return proc.sameNamespace !== undefined ? proc.sameNamespace : (input.sameNamespaceOf?.(proc) ?? null);
}
