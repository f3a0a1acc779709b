// The table `supervise ps` prints for a person: one header per session (its agent, its owner
// and whether that owner is alive), then its processes, each command cut to the width.

import type { OwnedProcess } from "../ownership/processes.ts";
import { formatDuration } from "../time/duration.ts";
import { printable, renderTable, type Column } from "./table.ts";

const OWNER_COLOURS: Record<string, string> = { alive: "32", gone: "31", unknown: "33" };

export function renderOwnedProcesses(rows: readonly OwnedProcess[], width: number | null, colour: boolean): string {
  const groups = new Map<string, OwnedProcess[]>();
  for (const row of rows) {
    const key = row.session ?? "";
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const columns: Column[] = [
    { title: "PID", align: "right" },
    { title: "AGE", align: "right" },
    { title: "CPU", align: "right", dropOrder: 2 },
    { title: "RSS", align: "right", dropOrder: 1 },
    { title: "ENTRY" },
    { title: "KEEP", dropOrder: 3 },
    { title: "COMMAND", flex: true },
  ];
  const parts: string[] = [];
  for (const [session, procs] of groups) {
    parts.push(sessionHeader(session, procs[0]!, colour));
    const cells = procs.map((p) => [
      String(p.pid),
      formatDuration(p.ageSeconds * 1000),
      `${p.cpuSeconds.toFixed(1)}s`,
      p.rssBytes === null ? "-" : `${(p.rssBytes / 1048576).toFixed(1)}M`,
      p.ledgerId ?? "-",
      p.keep ? "kept" : "-",
      p.orphaned ? `${p.command} (orphaned)` : p.command,
    ]);
    parts.push(renderTable(columns, cells, width));
  }
  return parts.join("\n");
}

function sessionHeader(session: string, first: OwnedProcess, colour: boolean): string {
  if (session === "") return "no agent session (supervise entries only)\n";
  const owner = first.ownerPid === null ? `owner unknown` : `owner ${first.ownerPid} ${first.owner}`;
  const painted = colour ? `\x1b[${OWNER_COLOURS[first.owner]}m${owner}\x1b[0m` : owner;
  return `session ${printable(session)} (${first.agent ?? "?"}), ${painted}\n`;
}
