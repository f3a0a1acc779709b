// The table `supervise ls` prints for a person: one row per entry, the command cut to the
// terminal's width, the state coloured on a terminal.

import type { EntryJson } from "../entry/view.ts";
import { formatDuration } from "../time/duration.ts";
import { renderTable, type Column } from "./table.ts";

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
