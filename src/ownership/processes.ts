// Who owns each process, for `supervise ps`: a ledger entry (its group or its SUPERVISE_ID
// cookie), else an agent session (its cookie), else nobody (then it is not listed, unless
// asked for by pid: the holder of a port). Each
// session's header is worked out here too, from all its rows, so text and JSON agree.

import { processTimes } from "../proc/times.ts";
import type { EntryRow } from "../ledger/entries.ts";
import { isGone } from "../proc/stat.ts";
import { keepMarkOf, type KeepMark, type KeepSettings } from "../policy/keep.ts";
import { cookieOf, isOrphaned, type ProcessTable, type ProcInfo } from "./process-table.ts";
import { sessionCookieOf, type SessionCookie } from "./cookie.ts";
import { recordedSessionOwner, sessionOwner } from "./session-owner.ts";
import type { OwnerState } from "./owner.ts";

export interface OwnedProcess {
  pid: number;
  ppid: number;
  pgid: number;
  agent: string | null;
  session: string | null;
  ownerPid: number | null;
  owner: OwnerState;
  ledgerId: string | null;
  orphaned: boolean;
  state: string;
  ageSeconds: number;
  cpuSeconds: number;
  rssBytes: number | null;
  command: string;
  /** The command line as its words (the contract's `command` is them joined); null when unreadable. */
  argv: string[] | null;
  keep: boolean;
  /** What keeps it (its own mark or one above it); null: nothing. */
  keptBy: KeepMark | null;
  /** Its owner's uid; null when unreadable. */
  uid: number | null;
  /** The process's pid namespace against ps's own: pids it names mean something here only when "same". */
  pidNamespace: NamespaceMatch;
}

export type NamespaceMatch = "same" | "other" | "unreadable";

export interface OwnershipContext {
  table: ProcessTable;
  /** Ledger entries, by id; the running ones also claim their process groups. */
  entries: ReadonlyMap<string, EntryRow>;
  settings: KeepSettings;
  subreapers: ReadonlySet<number>;
  nowTicks: number;
  ownUid: number;
  /** Read lazily, for the listed processes only. */
  rssBytes(pid: number): number | null;
  /** ps's own pid namespace ("pid:[…]"); null when unreadable. */
  ownNamespace: string | null;
  /** A listed process's pid namespace, read lazily; null when unreadable. */
  pidNamespace(pid: number): string | null;
  /** Listed even when nobody owns them, or another user does (a port's holders). */
  listedAnyway?: ReadonlySet<number>;
}

/** Running entries by their process group: a process in one, started after its wrapper, is the entry's. */
function runningByGroup(entries: ReadonlyMap<string, EntryRow>): Map<number, EntryRow[]> {
  const byGroup = new Map<number, EntryRow[]>();
  for (const row of entries.values()) {
    if (row.ended_at !== null || row.pgid === null) continue;
    byGroup.set(row.pgid, [...(byGroup.get(row.pgid) ?? []), row]);
  }
  return byGroup;
}

/** The entry a process belongs to: its cookie's, or the running entry whose group it is in (started after its wrapper). */
function ledgerOwner(proc: ProcInfo, entries: ReadonlyMap<string, EntryRow>, byGroup: ReadonlyMap<number, EntryRow[]>): EntryRow | null {
  const id = cookieOf(proc);
  if (id !== null && entries.has(id)) return entries.get(id)!;
  const since = (row: EntryRow) => row.wrapper_start_ticks ?? row.start_ticks ?? Number.POSITIVE_INFINITY;
  return byGroup.get(proc.pgrp)?.find((row) => proc.startTicks >= since(row)) ?? null;
}

export function ownedProcesses(procs: readonly ProcInfo[], ctx: OwnershipContext): OwnedProcess[] {
  const byGroup = runningByGroup(ctx.entries);
  const out: OwnedProcess[] = [];
  for (const proc of procs) {
    const anyway = ctx.listedAnyway?.has(proc.pid) === true;
    if ((proc.uid !== ctx.ownUid && !anyway) || proc.kernel || isGone(proc)) continue;
    const mine = proc.uid === ctx.ownUid;
    // Another user's environment is not ours to read as a claim: no entry, no session.
    const entry = mine ? ledgerOwner(proc, ctx.entries, byGroup) : null;
    const cookie = mine ? sessionCookieOf(proc.environ) : null;
    if (!entry && !cookie && !anyway) continue;
    const pidNamespace = namespaceMatch(ctx.pidNamespace(proc.pid), ctx.ownNamespace);
    const owner = ownerOfRow({ ...proc, sameNamespace: pidNamespace === "same" }, cookie, entry, ctx);
    out.push({
      pid: proc.pid,
      ppid: proc.ppid,
      pgid: proc.pgrp,
      ...owner,
      ledgerId: entry?.id ?? null,
      orphaned: isOrphaned(proc, ctx.subreapers),
      state: proc.state,
      ...processTimes(proc, ctx.nowTicks),
      rssBytes: ctx.rssBytes(proc.pid),
      command: proc.argv?.join(" ") || `[${proc.comm}]`,
      argv: proc.argv,
      ...keepOf(proc, ctx),
      uid: proc.uid,
      pidNamespace,
    });
  }
  return out;
}

function keepOf(proc: ProcInfo, ctx: OwnershipContext): Pick<OwnedProcess, "keep" | "keptBy"> {
  const keptBy = keepMarkOf(proc, ctx.settings, ctx.table.byPid, ctx.subreapers);
  return { keep: keptBy !== null, keptBy };
}

function namespaceMatch(namespace: string | null, own: string | null): NamespaceMatch {
  if (namespace === null || own === null) return "unreadable";
  return namespace === own ? "same" : "other";
}

type RowOwner = Pick<OwnedProcess, "agent" | "session" | "ownerPid" | "owner">;

/**
 * The session a row belongs to and that session's agent, by its cookie, else by its entry
 * and the owner the session recorded. Pids mean something only in ps's own pid namespace:
 * from another one (or an unreadable one) the owner is unknown, whatever the evidence.
 */
function ownerOfRow(proc: ProcInfo, cookie: SessionCookie | null, entry: EntryRow | null, ctx: OwnershipContext): RowOwner {
  if (cookie) {
    // An agent that exports no pid of its own (Codex) is known by the owners its session recorded.
    const owned = sessionOwner(proc, ctx.table)!;
    return { agent: cookie.agent, session: cookie.session, ownerPid: owned.ownerPid, owner: proc.sameNamespace ? owned.owner : "unknown" };
  }
  const session = entry?.session ?? null;
  const recorded = session === null ? null : recordedSessionOwner(session, ctx.table);
  const owner = recorded && proc.sameNamespace ? recorded.owner : "unknown";
  return { agent: recorded?.agent ?? null, session, ownerPid: recorded?.ownerPid ?? null, owner };
}

/** A session as `ps` heads its rows: from all of them, never from whichever came first. */
export interface SessionHeader {
  /** Null: rows of supervise entries that belong to no agent session. */
  session: string | null;
  agent: string | null;
  /** Each owner the session's rows name or judge from ps's own pid namespace (two CLIs can share a session). */
  owners: { pid: number | null; state: OwnerState }[];
  /** Rows in another (or an unreadable) pid namespace: their owner cannot be judged from here. */
  elsewhere: number;
  rows: OwnedProcess[];
}

export function sessionHeaders(rows: readonly OwnedProcess[]): SessionHeader[] {
  const bySession = new Map<string | null, SessionHeader>();
  for (const row of rows) {
    let header = bySession.get(row.session);
    if (!header) bySession.set(row.session, (header = { session: row.session, agent: null, owners: [], elsewhere: 0, rows: [] }));
    header.rows.push(row);
    header.agent ??= row.agent;
    const named = row.ownerPid !== null || row.owner !== "unknown";
    if (row.pidNamespace !== "same") header.elsewhere++;
    else if (named && !header.owners.some((o) => o.pid === row.ownerPid && o.state === row.owner)) header.owners.push({ pid: row.ownerPid, state: row.owner });
  }
  return [...bySession.values()];
}
