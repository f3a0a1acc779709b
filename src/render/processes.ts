// The table `supervise ps` prints for a person: one header per session (its agent, its owner
// and whether that owner is alive, as ownership/processes.ts worked it out for the JSON too),
// then its processes, each command cut to the width.

import { describeProcessActivity } from "../activity/process-activity.ts";
import { portsText } from "../activity/record.ts";
import type { ShownProcess } from "../ownership/owned-now.ts";
import { sessionHeaders, type OwnedProcess, type SessionHeader } from "../ownership/processes.ts";
import { formatDuration } from "../time/duration.ts";
import { printable, renderTable, type Column } from "./table.ts";

const OWNER_COLOURS: Record<string, string> = { alive: "32", gone: "31", unknown: "33" };

export function renderOwnedProcesses(rows: readonly ShownProcess[], width: number | null, colour: boolean, now = Date.now()): string {
  // Said only when some row has something to say.
  const judged = rows.some((p) => p.activity !== "unknown");
  const listening = rows.some((p) => p.ports.length > 0);
  const columns: Column[] = [
    { title: "PID", align: "right" },
    { title: "AGE", align: "right" },
    ...(judged ? [{ title: "DOING", dropOrder: 0 }] : []),
    ...(listening ? [{ title: "PORTS", dropOrder: 4 }] : []),
    { title: "CPU", align: "right", dropOrder: 2 },
    { title: "RSS", align: "right", dropOrder: 1 },
    { title: "ENTRY" },
    { title: "KEEP", dropOrder: 3 },
    { title: "COMMAND", flex: true },
  ];
  const parts: string[] = [];
  for (const header of sessionHeaders(rows)) {
    parts.push(sessionLine(header, colour));
    const cells = (header.rows as ShownProcess[]).map((p) => [
      String(p.pid),
      formatDuration(p.ageSeconds * 1000),
      ...(judged ? [describeProcessActivity(p, now)] : []),
      ...(listening ? [portsText(p.ports)] : []),
      `${p.cpuSeconds.toFixed(1)}s`,
      p.rssBytes === null ? "-" : `${(p.rssBytes / 1048576).toFixed(1)}M`,
      p.ledgerId ?? "-",
      p.keep ? "kept" : "-",
      `${p.command}${marks(p)}`,
    ]);
    parts.push(renderTable(columns, cells, width));
  }
  return parts.join("\n");
}

const NAMESPACE_MARK: Record<OwnedProcess["pidNamespace"], string> = { same: "", other: "another pid namespace", unreadable: "pid namespace unreadable" };

function marks(p: OwnedProcess): string {
  const said = [p.orphaned ? "orphaned" : "", NAMESPACE_MARK[p.pidNamespace]].filter(Boolean);
  return said.length ? ` (${said.join(", ")})` : "";
}

function sessionLine(header: SessionHeader, colour: boolean): string {
  if (header.session === null) return header.rows.every((p) => p.ledgerId !== null) ? "no agent session (supervise entries only)\n" : "no agent session\n";
  const paint = (text: string, state: string) => (colour ? `\x1b[${OWNER_COLOURS[state]}m${text}\x1b[0m` : text);
  const owners = header.owners.length ? header.owners.map((o) => paint(`${o.pid ?? "?"} ${o.state}`, o.state)).join(", ") : paint("unknown", "unknown");
  const elsewhere = header.elsewhere ? `; not judged for ${header.elsewhere} process${header.elsewhere === 1 ? "" : "es"} in another (or unreadable) pid namespace` : "";
  return `session ${printable(header.session)} (${printable(header.agent ?? "?")}), owner${header.owners.length > 1 ? "s" : ""} ${owners}${elsewhere}\n`;
}
