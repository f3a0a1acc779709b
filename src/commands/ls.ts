// `supervise ls [--all] [--session ID] [--json]`: the ledger's entries, states computed live.

import { colorEnabled, terminalWidth, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { renderTable, type Column } from "../cli/table.ts";
import { UsageError } from "../errors.ts";
import { listEntries } from "../ledger/entries.ts";
import { existingLedger } from "../ledger/read.ts";
import { liveStates, toJson, type EntryJson } from "../ledger/view.ts";
import { stateDir } from "../state-dir.ts";
import { formatDuration } from "../time/duration.ts";

export default async function ls(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { all: { short: "a" }, session: { value: true }, json: {} });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const entries = await readEntries(stateDir(), options.all === true, stringOption(options, "session"));
  if (options.json) {
    await writeOut(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  const text = entries.length ? renderEntries(entries, Date.now(), await terminalWidth(1), await colorEnabled(1)) : options.all ? "no entries\n" : "nothing running (supervise ls --all lists finished entries)\n";
  await writeOut(text);
  return 0;
}

async function readEntries(dir: string, all: boolean, session: string | undefined): Promise<EntryJson[]> {
  const db = await existingLedger(dir);
  if (!db) return [];
  const rows = listEntries(db, { all, session });
  const states = liveStates(rows);
  return rows.map((row, i) => toJson(row, states[i]));
}

const STATE_COLOURS: Record<string, string> = { running: "32", orphaned: "33", lost: "33", killed: "31", exited: "2" };

/** The table a person reads: one row per entry, the command cut to the terminal's width. */
export function renderEntries(entries: readonly EntryJson[], now: number, width: number | null, colour: boolean): string {
  const paintState = colour ? (padded: string, raw: string) => `\x1b[${STATE_COLOURS[raw] ?? "0"}m${padded}\x1b[0m` : undefined;
  const columns: Column[] = [
    { title: "ID" },
    { title: "PID", align: "right" },
    { title: "STATE", paint: paintState },
    { title: "EXIT", dropOrder: 2 },
    { title: "AGE", align: "right" },
    { title: "DEADLINE", dropOrder: 1 },
    { title: "SESSION", dropOrder: 3 },
    { title: "COMMAND", flex: true },
  ];
  const rows = entries.map((e) => [
    e.id,
    e.pid === null ? "-" : String(e.pid),
    e.state,
    exitText(e),
    formatDuration(Math.max(0, (e.endedAt ? Date.parse(e.endedAt) : now) - Date.parse(e.startedAt))),
    deadlineText(e, now),
    e.session === null ? "-" : e.session.slice(0, 8),
    e.name ? `${e.name}: ${e.command.join(" ")}` : e.command.join(" "),
  ]);
  return renderTable(columns, rows, width);
}

function exitText(e: EntryJson): string {
  if (e.exitCode !== null) return String(e.exitCode);
  if (e.signal !== null) return `SIG${e.signal}`;
  return "-";
}

/** Time left for what still runs; "none" without a deadline; "-" once over. */
function deadlineText(e: EntryJson, now: number): string {
  if (e.state !== "running" && e.state !== "orphaned") return "-";
  if (e.deadlineAt === null) return "none";
  const left = Date.parse(e.deadlineAt) - now;
  return left > 0 ? formatDuration(left) : "overdue";
}
