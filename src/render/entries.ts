// The table `supervise ls` prints for a person: one row per entry, the command cut to the
// terminal's width, the state coloured on a terminal.

import { describeActivity } from "../activity/record.ts";
import type { EntryJson } from "../entry/view.ts";
import { formatDuration } from "../time/duration.ts";
import { renderTable, type Column } from "./table.ts";

const STATE_COLOURS: Record<string, string> = { running: "32", orphaned: "33", lost: "33", killed: "31", exited: "2" };

/** The table a person reads: one row per entry, the command cut to the terminal's width. */
export function renderEntries(entries: readonly EntryJson[], now: number, width: number | null, colour: boolean): string {
  const paintState = colour ? (padded: string, raw: string) => `\x1b[${STATE_COLOURS[raw.split(" ")[0]!] ?? "0"}m${padded}\x1b[0m` : undefined;
  // A column no row has anything for is left out: DEADLINE once nothing runs, ENDED while nothing has ended.
  const live = entries.some((e) => e.state === "running" || e.state === "orphaned");
  const ended = entries.some((e) => e.endedAt !== null);
  const judged = entries.some((e) => describeActivity(e, now, formatDuration) !== null);
  const all: Array<[Column, (e: EntryJson) => string, boolean]> = [
    [{ title: "ID" }, (e) => e.id, true],
    [{ title: "PID", align: "right" }, (e) => (e.pid === null ? "-" : String(e.pid)), true],
    [{ title: "STATE", paint: paintState }, stateText, true],
    [{ title: "DOING", dropOrder: 0 }, (e) => describeActivity(e, now, formatDuration) ?? "-", judged],
    [{ title: "AGE", align: "right" }, (e) => formatDuration(Math.max(0, (e.endedAt ? Date.parse(e.endedAt) : now) - Date.parse(e.startedAt))), true],
    [{ title: "ENDED", align: "right", dropOrder: 2 }, (e) => (e.endedAt === null ? "-" : `${formatDuration(Math.max(0, now - Date.parse(e.endedAt)))} ago`), ended],
    [{ title: "DEADLINE", dropOrder: 1 }, (e) => deadlineText(e, now), live],
    [{ title: "SESSION", dropOrder: 3 }, (e) => (e.session === null ? "-" : e.session.slice(0, 8)), true],
    [{ title: "COMMAND", flex: true }, (e) => (e.name ? `${e.name}: ${e.command.join(" ")}` : e.command.join(" ")), true],
  ];
  const shown = all.filter(([, , show]) => show);
  return renderTable(shown.map(([column]) => column), entries.map((e) => shown.map(([, cell]) => cell(e))), width);
}

/** The state, and how it ended: `exited 7`, `killed TERM`. */
function stateText(e: EntryJson): string {
  if (e.state === "running" || e.state === "orphaned" || e.state === "unknown") return e.state;
  if (e.exitCode !== null) return `${e.state} ${e.exitCode}`;
  if (e.signal !== null) return `${e.state} ${e.signal}`;
  return e.state;
}

/** Time left for what still runs; "none" without a deadline; "-" once over. */
function deadlineText(e: EntryJson, now: number): string {
  if (e.state !== "running" && e.state !== "orphaned") return "-";
  if (e.deadlineAt === null) return "none";
  const left = Date.parse(e.deadlineAt) - now;
  return left > 0 ? formatDuration(left) : "overdue";
}
