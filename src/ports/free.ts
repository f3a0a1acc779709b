// `supervise kill --port N`: the holders of a port, each ended only when the lifecycle policy's
// port path allows it (src/ports/decide.ts), through the stop engine: an entry as `kill ID`
// stops it, with keep marks holding; a session leftover by its identity, with what it forked
// since. Then whether the port is free.

import type { Database } from "bun:sqlite";
import type { Config } from "../config/defaults.ts";
import { entriesById, type EntryRow } from "../ledger/entries.ts";
import { existingLedger } from "../ledger/open.ts";
import { ownedNow, type ShownProcess } from "../ownership/owned-now.ts";
import type { Decision, NotEnded, Proof } from "../policy/lifecycle.ts";
import { bootId } from "../proc/boot.ts";
import { SIGNALS } from "../proc/signals.ts";
import { stopAll } from "../stop/engine.ts";
import { keepSettings } from "../stop/session.ts";
import { stopEntries, type StopOutcome } from "../stop/stop-entry.ts";
import { parseDuration } from "../time/duration.ts";
import { decideHolder, holderSubject, refusalLine, unseenLine, type Caller } from "./decide.ts";
import { findPortHolders } from "./holders.ts";

export interface HolderReport {
  pid: number;
  command: string;
  ledgerId: string | null;
  agent: string | null;
  session: string | null;
  owner: ShownProcess["owner"];
  ownerPid: number | null;
  /** refused: the policy left it (`why`, and `said`, the line naming its owner). */
  outcome: StopOutcome | "refused";
  why: NotEnded | null;
  said: string | null;
  signal: string | null;
}

export interface PortReport {
  port: number;
  holders: HolderReport[];
  /** Sockets on the port no process we can read holds: another user's. */
  unseen: Array<{ uid: number; protocol: string; said: string }>;
  /** Nothing listens on the port any more. */
  free: boolean;
}

export interface FreeOptions {
  /** The caller's session: its cookie's, or --session's exact id. */
  caller: Caller;
  signal?: number;
  graceMs?: number;
}

export async function freePort(dir: string, config: Config, port: number, options: FreeOptions): Promise<PortReport> {
  const found = findPortHolders(port);
  const { rows, startTicks } = await ownedNow(dir, config, undefined, new Set(found.pids));
  // Found again after the snapshot: a pid that died and was reused between the two reads holds the port itself, or is no holder.
  const still = findPortHolders(port).pids;
  const holders = rows.filter((row) => found.pids.includes(row.pid) && still.includes(row.pid));
  const db = holders.some((row) => row.ledgerId !== null) ? existingLedger(dir) : null;
  const decided = decideAll(db, holders, options.caller);
  const outcomes = await endAllowed(db, config, decided, startTicks, options);
  const reports: HolderReport[] = decided.map(({ row, decision }) => ({
    pid: row.pid,
    command: row.command,
    ledgerId: row.ledgerId,
    agent: row.agent,
    session: row.session,
    owner: row.owner,
    ownerPid: row.ownerPid,
    ...(decision.end ? { outcome: outcomes.get(row.pid)?.outcome ?? "failed", signal: outcomes.get(row.pid)?.signal ?? null, why: null, said: null } : { outcome: "refused" as const, signal: null, why: decision.why, said: refusalLine(port, row, decision.why) }),
  }));
  const after = findPortHolders(port);
  return { port, holders: reports, unseen: found.unseen.map((s) => ({ uid: s.uid, protocol: s.protocol, said: `${unseenLine(port, s.uid)}; not ended` })), free: after.pids.length === 0 && after.unseen.length === 0 };
}

export interface Decided {
  row: ShownProcess;
  entry: EntryRow | null;
  decision: Decision;
  proof: Proof | null;
}

/** What the port path allows for each of `rows`, each judged with its ledger entry. */
export function decideAll(db: Database | null, rows: readonly ShownProcess[], caller: Caller): Decided[] {
  const entries = new Map((db ? entriesById(db, [...new Set(rows.flatMap((row) => (row.ledgerId ? [row.ledgerId] : [])))]) : []).map((row) => [row.id, row]));
  return rows.map((row) => {
    const entry = row.ledgerId === null ? null : (entries.get(row.ledgerId) ?? null);
    return { row, entry, decision: decideHolder(row, entry, caller), proof: holderSubject(row, entry, caller).proof };
  });
}

/** The allowed holders ended together: entries by their own stop, session leftovers by identity; each holder's outcome by pid. */
async function endAllowed(db: Database | null, config: Config, decided: readonly Decided[], startTicks: ReadonlyMap<number, number>, options: FreeOptions): Promise<Map<number, { outcome: StopOutcome; signal: string | null }>> {
  const allowed = decided.filter((d) => d.decision.end && d.proof !== null);
  const byEntry = new Map<string, Decided[]>();
  for (const d of allowed) if (d.entry) byEntry.set(d.entry.id, [...(byEntry.get(d.entry.id) ?? []), d]);
  const leftovers = allowed.filter((d) => d.entry === null && d.row.session !== null && d.row.agent !== null);
  const keep = keepSettings(config);
  const signal = options.signal ?? SIGNALS.SIGTERM;
  const graceMs = options.graceMs ?? parseDuration(config.reap.grace, "reap.grace");
  const [entryResults, leftoverReports] = await Promise.all([
    Promise.all([...byEntry.values()].map((group) => (db ? stopEntries(db, [group[0]!.entry!], { reason: "manual", signal: options.signal, graceMs: options.graceMs, keep, port: { proof: group[0]!.proof! } }) : []))),
    stopAll(
      leftovers.map(({ row, proof }) => ({
        target: {
          process: { bootId: bootId(), pid: row.pid, startTicks: startTicks.get(row.pid)! },
          keep,
          tree: { cookie: { agent: row.agent!, session: row.session! }, path: "port" as const, tie: "session-leftover" as const, proof: proof! },
        },
        signal,
        graceMs,
      })),
    ),
  ]);
  const out = new Map<number, { outcome: StopOutcome; signal: string | null }>();
  [...byEntry.values()].forEach((group, i) => {
    const result = entryResults[i]![0];
    for (const d of group) out.set(d.row.pid, { outcome: result?.outcome ?? "failed", signal: result?.signal ?? null });
  });
  leftovers.forEach((d, i) => out.set(d.row.pid, { outcome: leftoverReports[i]!.outcome, signal: leftoverReports[i]!.signal }));
  return out;
}
