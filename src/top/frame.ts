// One frame of `supervise top`, pure: sessions ordered by what they burn, each with its
// owner's state and its processes (the entries' and the leftovers), CPU over the last
// refresh, RSS, what each is doing and its ports. What burns CPU, and whose it is, at a glance.

import { describeProcessActivity } from "../activity/process-activity.ts";
import { portsText } from "../activity/record.ts";
import type { ShownProcess } from "../ownership/owned-now.ts";
import { sessionHeaders } from "../ownership/processes.ts";
import { formatBytes } from "../render/entry-detail.ts";
import { printable, renderTable, type Column } from "../render/table.ts";
import { formatDuration } from "../time/duration.ts";

export type SortKey = "cpu" | "mem";

/** A process as top shows it: `cpuNow`, its CPU over the window, in percent of one core. */
export type TopRow = ShownProcess & { cpuNow: number };

export interface FrameInput {
  rows: readonly TopRow[];
  now: number;
  /** What cpuNow was measured over. */
  windowMs: number;
  sort: SortKey;
  width: number | null;
  colour: boolean;
  /** The key line, for a live frame; none for --once. */
  keys: boolean;
}

const OWNER_COLOURS: Record<string, string> = { alive: "32", gone: "31", unknown: "33" };

/** The CPU rate of each process over the window, from its CPU seconds then (by pid) and now. */
export function cpuRates(rows: readonly ShownProcess[], before: ReadonlyMap<number, number> | null, windowMs: number): TopRow[] {
  return rows.map((row) => {
    const was = before?.get(row.pid);
    // Not seen last time, or a new process under a reused pid: its lifetime's average is all one look can say.
    const fresh = was === undefined || was > row.cpuSeconds || windowMs <= 0;
    const cpuNow = fresh ? row.cpuPercent : ((row.cpuSeconds - was) / (windowMs / 1000)) * 100;
    return { ...row, cpuNow: Math.round(cpuNow * 10) / 10 };
  });
}

export function renderFrame(input: FrameInput): string {
  const { rows, sort } = input;
  const weight = (list: readonly TopRow[]) => list.reduce((sum, row) => sum + (sort === "cpu" ? row.cpuNow : (row.rssBytes ?? 0)), 0);
  const byWeight = (a: TopRow, b: TopRow) => (sort === "cpu" ? b.cpuNow - a.cpuNow : (b.rssBytes ?? 0) - (a.rssBytes ?? 0)) || a.pid - b.pid;
  const headers = sessionHeaders(rows).sort((a, b) => weight(b.rows as TopRow[]) - weight(a.rows as TopRow[]));
  const totalCpu = rows.reduce((sum, row) => sum + row.cpuNow, 0);
  const totalRss = rows.reduce((sum, row) => sum + (row.rssBytes ?? 0), 0);
  const time = new Date(input.now).toISOString().slice(11, 19);
  const lines = [
    `supervise top ${time}Z  ${plural(headers.length, "session")}, ${plural(rows.length, "process", "processes")}, CPU ${Math.round(totalCpu)}%, RSS ${formatBytes(totalRss)}; by ${sort === "cpu" ? "CPU" : "memory"}, CPU over ${formatDuration(input.windowMs)}`,
  ];
  if (input.keys) lines.push("c: sort by CPU  m: by memory  q: quit");
  if (rows.length === 0) return `${lines.join("\n")}\n\nno process belongs to an agent session or a supervise entry\n`;
  const listening = rows.some((row) => row.ports.length > 0);
  const columns: Column[] = [
    { title: "PID", align: "right" },
    { title: "CPU%", align: "right" },
    { title: "RSS", align: "right", dropOrder: 2 },
    { title: "DOING", dropOrder: 1 },
    ...(listening ? [{ title: "PORTS", dropOrder: 4 }] : []),
    { title: "ENTRY", dropOrder: 3 },
    { title: "COMMAND", flex: true },
  ];
  // One table for every session, so the columns line up and a narrow terminal drops the same ones everywhere.
  const groups = headers.map((header) => ({ header, list: [...(header.rows as TopRow[])].sort(byWeight) }));
  const cells = groups.flatMap(({ list }) => list.map((p) => [String(p.pid), p.cpuNow.toFixed(1), p.rssBytes === null ? "-" : formatBytes(p.rssBytes), describeProcessActivity(p, input.now), ...(listening ? [portsText(p.ports)] : []), p.ledgerId ?? (p.orphaned ? "leftover" : "-"), p.command]));
  const [titles, ...table] = renderTable(columns, cells, input.width).trimEnd().split("\n");
  lines.push("", titles!);
  let at = 0;
  for (const { header, list } of groups) {
    lines.push(sessionLine(header.session, header.agent, header.owners, weight(list), sort, input.colour), ...table.slice(at, at + list.length));
    at += list.length;
  }
  return `${lines.join("\n")}\n`;
}

function sessionLine(session: string | null, agent: string | null, owners: ReadonlyArray<{ pid: number | null; state: string }>, weight: number, sort: SortKey, colour: boolean): string {
  const burn = sort === "cpu" ? `CPU ${Math.round(weight)}%` : `RSS ${formatBytes(weight)}`;
  if (session === null) return `entries of no session  ${burn}`;
  const paint = (text: string, state: string) => (colour ? `\x1b[${OWNER_COLOURS[state] ?? "0"}m${text}\x1b[0m` : text);
  const owner = owners.length ? owners.map((o) => paint(`${o.pid ?? "?"} ${o.state}`, o.state)).join(", ") : paint("unknown", "unknown");
  return `session ${printable(session.slice(0, 8))} (${printable(agent ?? "?")}) owner ${owner}  ${burn}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
