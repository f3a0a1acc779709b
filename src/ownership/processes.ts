// Who owns each process, for `supervise ps`: a ledger entry (its group or its SUPERVISE_ID
// cookie), else an agent session (its cookie), else nobody (then it is not listed).

import type { EntryRow } from "../ledger/entries.ts";
import { CLOCK_TICKS_PER_SECOND } from "../proc/boot.ts";
import { isGone } from "../proc/stat.ts";
import { keepMarkOf, type KeepSettings } from "../policy/keep.ts";
import { cookieOf, isOrphaned, type ProcessTable, type ProcInfo } from "./process-table.ts";
import { ownerFacts, sessionOwner } from "./session-owner.ts";
import { recordedOwnerState, type OwnerState } from "./owner.ts";
import { recordedOwnerOf } from "./recorded-sessions.ts";

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
  keep: boolean;
}

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
    if (proc.uid !== ctx.ownUid || proc.kernel || isGone(proc)) continue;
    const entry = ledgerOwner(proc, ctx.entries, byGroup);
    const owned = sessionOwner(proc, ctx.table);
    if (!entry && !owned) continue;
    const session = owned?.cookie.session ?? entry?.session ?? null;
    const recorded = owned || session === null ? undefined : recordedOwnerOf(ctx.table.sessions, session);
    out.push({
      pid: proc.pid,
      ppid: proc.ppid,
      pgid: proc.pgrp,
      agent: owned?.cookie.agent ?? recorded?.agent ?? null,
      session,
      ownerPid: owned?.cookie.ownerPid ?? recorded?.pid ?? null,
      owner: owned?.owner ?? (recorded ? recordedOwnerState(recorded, ownerFacts(ctx.table)) : "unknown"),
      ledgerId: entry?.id ?? null,
      orphaned: isOrphaned(proc, ctx.subreapers),
      state: proc.state,
      ageSeconds: Math.max(0, Math.floor((ctx.nowTicks - proc.startTicks) / CLOCK_TICKS_PER_SECOND)),
      cpuSeconds: (proc.utimeTicks + proc.stimeTicks) / CLOCK_TICKS_PER_SECOND,
      rssBytes: ctx.rssBytes(proc.pid),
      command: proc.argv?.join(" ") || `[${proc.comm}]`,
      keep: keepMarkOf(proc, ctx.settings, ctx.table.byPid, ctx.subreapers) !== null,
    });
  }
  return out;
}
