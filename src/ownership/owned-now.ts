// What `ps` and `top` show: every process of this user that belongs to an agent session or a
// supervise entry, from one /proc snapshot and the ledger, with each row's activity.

import type { Config } from "../config/defaults.ts";
import { portsOfEach } from "../proc/sockets.ts";
import { processActivity, type ProcessActivity } from "../activity/process-activity.ts";
import { listEntries, type EntryRow } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { bootId } from "../proc/boot.ts";
import { readRssBytes } from "../proc/tree.ts";
import { takeSnapshot, type SnapshotMemo } from "../reap/snapshot.ts";
import { ownedProcesses, type OwnedProcess } from "./processes.ts";
import { sessionEvidence } from "./recorded-sessions.ts";
import { readNow } from "../proc/facts.ts";

export type ShownProcess = OwnedProcess & ProcessActivity;

export interface OwnedNow {
  rows: ShownProcess[];
  /** Each row's start tick as the snapshot read it: with its pid, the process it is (top's refreshes check it). */
  startTicks: Map<number, number>;
}

/**
 * `memo`: what earlier calls read of each process, for a caller that looks again and again (top).
 * `listedAnyway`: pids listed even when nobody (or another user) owns them: a port's holders.
 */
export async function ownedNow(dir: string, config: Config, memo?: SnapshotMemo, listedAnyway?: ReadonlySet<number>): Promise<OwnedNow> {
  const ownUid = process.getuid!();
  let entries = new Map<string, EntryRow>();
  const startTicks = new Map<number, number>();
  const owned = await readingLedger(dir, async () => {
    const db = existingLedger(dir);
    entries = new Map((db ? listEntries(db, { all: true }) : []).map((row) => [row.id, row]));
    const snapshot = await takeSnapshot({ ownUid, names: new Set(), cookiesSinceTicks: null, sessionScope: true, everyProcessOfUser: true, memo });
    const byPid = new Map(snapshot.procs.map((p) => [p.pid, p]));
    for (const p of snapshot.procs) startTicks.set(p.pid, p.startTicks);
    return ownedProcesses(snapshot.procs, {
      table: { byPid, unreadable: snapshot.unreadable, ...sessionEvidence(db, bootId()) },
      entries,
      settings: config.reap,
      subreapers: snapshot.subreapers,
      nowTicks: snapshot.nowTicks,
      ownUid,
      rssBytes: readRssBytes,
      // Every listed row's, not only the snapshot's session scope: a pid a row names is judged only in ps's own namespace.
      ownNamespace: readNow.pidNamespace("self"),
      pidNamespace: readNow.pidNamespace,
      listedAnyway,
    });
  });
  const ports = portsOfEach(owned.map((row) => row.pid));
  const rows = owned.map((row) => ({ ...row, ...processActivity(row, row.ledgerId === null ? null : (entries.get(row.ledgerId) ?? null), ports.get(row.pid) ?? []) }));
  return { rows, startTicks: new Map(rows.map((row) => [row.pid, startTicks.get(row.pid)!])) };
}
