// `supervise show` for people: every field, then the live process tree as a table.

import { describeActivity, portsText } from "../activity/record.ts";
import type { EntryDetail } from "../entry/detail.ts";
import { formatDuration } from "../time/duration.ts";
import { shellQuote } from "./shell-quote.ts";
import { printable, renderTable, type Column } from "./table.ts";

export function renderDetail(d: EntryDetail, width: number | null, colour: boolean): string {
  const bold = (text: string) => (colour ? `\x1b[1m${text}\x1b[0m` : text);
  const fields: Array<[string, string]> = [
    ["id", d.id],
    ["state", d.state + (d.reason ? ` (${d.reason})` : "")],
    ...activityLines(d),
    ["command", d.command.map(shellQuote).join(" ")],
    ["name", d.name ?? "-"],
    ["session", d.session ?? "-"],
    ["cwd", d.cwd],
    ["pid", d.pid === null ? "-" : `${d.pid} (group ${d.pgid}, start tick ${d.startTicks})`],
    ["wrapper", `${d.wrapperPid} (start tick ${d.wrapperStartTicks ?? "?"})`],
    ["started", d.startedAt],
    ["ended", d.endedAt ?? "-"],
    ["duration", formatDuration(d.durationMs)],
    ["deadline", d.deadlineAt ?? "none"],
    ["grace", d.graceMs === null ? "none (never SIGKILL)" : formatDuration(d.graceMs)],
    ["first signal", d.firstSignal],
    ["exit", d.exitCode !== null ? String(d.exitCode) : d.signal ? `signal ${d.signal}` : "-"],
    ["keep orphaned", d.keepOrphaned ? "yes" : "no"],
    ["output", d.output ?? "-"],
    ["boot id", d.bootId],
  ];
  const label = Math.max(...fields.map(([k]) => k.length)) + 1;
  const lines = fields.map(([k, v]) => `${bold(`${k}:`.padEnd(label))} ${printable(v)}`);
  lines.push("");
  if (d.processes.length === 0) {
    lines.push(
      d.state === "unknown"
        ? "processes: not visible here (recorded in another pid namespace)"
        : d.state === "running" || d.state === "orphaned"
          ? "processes: none found"
          : "processes: none (ended)",
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push("processes:");
  const listening = d.processes.some((p) => p.ports.length > 0);
  const columns: Column[] = [
    { title: "PID", align: "right" },
    { title: "STAT" },
    { title: "AGE", align: "right" },
    { title: "CPU", align: "right" },
    { title: "RSS", align: "right" },
    { title: "VIA", dropOrder: 1 },
    ...(listening ? [{ title: "PORTS", dropOrder: 2 }] : []),
    { title: "COMMAND", flex: true },
  ];
  const rows = d.processes.map((p) => [
    String(p.pid),
    p.state,
    p.ageSeconds < 1 ? "0s" : formatDuration(p.ageSeconds * 1000),
    `${p.cpuSeconds.toFixed(2)}s`,
    p.rssBytes === null ? "-" : formatBytes(p.rssBytes),
    p.via,
    ...(listening ? [portsText(p.ports)] : []),
    `${"  ".repeat(p.depth)}${p.command}`,
  ]);
  return `${lines.join("\n")}\n${renderTable(columns, rows, width)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)}K`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)}M`;
  return `${(bytes / 1024 ** 3).toFixed(1)}G`;
}

/** While it runs: what its wrapper last judged it doing, when its output last changed, and what it said last when stuck. */
function activityLines(d: EntryDetail): Array<[string, string]> {
  const now = Date.now();
  const doing = describeActivity(d, now, formatDuration);
  if (doing === null) return [];
  const output = d.lastOutputAt === null ? "not seen (a pipe or terminal)" : `${formatDuration(Math.max(0, now - Date.parse(d.lastOutputAt)))} ago`;
  const lines: Array<[string, string]> = [
    ["doing", `${doing} (judged ${formatDuration(Math.max(0, now - Date.parse(d.activityJudgedAt!)))} ago)`],
    ["last output", output],
  ];
  if (d.lastLine !== null) lines.push(["last line", JSON.stringify(d.lastLine)]);
  return lines;
}
