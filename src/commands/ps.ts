// `supervise ps [--session ID] [--json]`: every process of this user that belongs to an agent
// session or to a supervise entry, grouped by session, supervised or not: how a user sees a
// leak before any sweep ends it.

import { writeJson, writeOut } from "../cli/output.ts";
import { colorEnabled, terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { listEntries, type EntryRow } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { matchSession } from "../ledger/resolve.ts";
import { ownedProcesses } from "../ownership/processes.ts";
import { sessionEvidence } from "../ownership/recorded-sessions.ts";
import { bootId } from "../proc/boot.ts";
import { readPidNamespace } from "../proc/facts.ts";
import { readRssBytes } from "../proc/tree.ts";
import { takeSnapshot } from "../reap/snapshot.ts";
import { stateDir } from "../state-dir.ts";

export default async function ps(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { session: { value: true }, json: {}, config: { value: true } });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const session = stringOption(options, "session");
  const dir = stateDir();
  const { config } = await loadConfig({ configPath: stringOption(options, "config"), stateDir: dir });
  const ownUid = process.getuid!();
  let entries = new Map<string, EntryRow>();
  const owned = await readingLedger(dir, async () => {
    const db = existingLedger(dir);
    entries = new Map((db ? listEntries(db, { all: true }) : []).map((row) => [row.id, row]));
    const snapshot = await takeSnapshot({ ownUid, names: new Set(), cookiesSinceTicks: null, sessionScope: true, everyProcessOfUser: true });
    const byPid = new Map(snapshot.procs.map((p) => [p.pid, p]));
    return ownedProcesses(snapshot.procs, {
      table: { byPid, unreadable: snapshot.unreadable, ...sessionEvidence(db, bootId()) },
      entries,
      settings: config.reap,
      subreapers: snapshot.subreapers,
      nowTicks: snapshot.nowTicks,
      ownUid,
      rssBytes: readRssBytes,
      // Every listed row's, not only the snapshot's session scope: a pid a row names is judged only in ps's own namespace.
      ownNamespace: readPidNamespace("self"),
      pidNamespace: readPidNamespace,
    });
  });
  // A session by the prefix ls shows; one no process has lists nothing.
  const named = session === undefined ? undefined : (matchSession(owned.flatMap((row) => (row.session === null ? [] : [row.session])), session) ?? session);
  const { processActivity } = await import("../activity/process-activity.ts");
  const rows = owned.filter((row) => named === undefined || row.session === named).map((row) => ({ ...row, ...processActivity(row, row.ledgerId === null ? null : (entries.get(row.ledgerId) ?? null)) }));
  if (options.json) {
    await writeJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    await writeOut(session === undefined ? "no process belongs to an agent session or a supervise entry\n" : `no process of session ${session}\n`);
    return 0;
  }
  const { renderOwnedProcesses } = await import("../render/processes.ts");
  await writeOut(renderOwnedProcesses(rows, await terminalWidth(1), await colorEnabled(1)));
  return 0;
}
