// `supervise ls [--all] [--session ID] [--json]`: the ledger's entries, states computed live.

import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { listEntries } from "../ledger/entries.ts";
import { ledgerPath, openLedger } from "../ledger/open.ts";
import { liveStates, toJson, type EntryJson } from "../ledger/view.ts";
import { formatDuration } from "../time/duration.ts";
import { stateDir } from "../state-dir.ts";
import { existsSync } from "node:fs";

export default async function ls(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { all: {}, session: { value: true }, json: {} });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const dir = stateDir();
  let entries: EntryJson[] = [];
  if (existsSync(ledgerPath(dir))) {
    const { db } = openLedger(dir);
    try {
      const rows = listEntries(db, { all: options.all === true, session: stringOption(options, "session") });
      const states = liveStates(rows);
      entries = rows.map((row, i) => toJson(row, states[i]));
    } finally {
      db.close();
    }
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(renderTable(entries, Date.now()));
  return 0;
}

export function renderTable(entries: readonly EntryJson[], now: number): string {
  if (entries.length === 0) return "no entries\n";
  const rows = entries.map((e) => [
    e.id,
    e.pid === null ? "-" : String(e.pid),
    e.state,
    e.exitCode !== null ? String(e.exitCode) : e.signal ?? "-",
    formatDuration(now - Date.parse(e.startedAt)),
    e.deadlineAt === null ? "none" : e.endedAt ? "-" : formatDuration(Math.max(0, Date.parse(e.deadlineAt) - now)),
    e.name ?? e.command.join(" "),
  ]);
  const header = ["ID", "PID", "STATE", "EXIT", "AGE", "DEADLINE", "COMMAND"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
