// What an agent is told about its session's background commands: one short line per change it
// cannot see, each once (issue 23). Pure: the hook (src/tell/deliver.ts) reads the rows and
// records what was told. A key names each change; the entry's `told` column keeps the keys.

import { parseActivity } from "../activity/record.ts";
import { TOLD_STATES } from "../activity/state.ts";
import type { EndReason, EntryRow } from "../ledger/entries.ts";
import { formatDuration } from "../time/duration.ts";
import { parseLeftRunning } from "./left-running.ts";

export type NoticeRow = Pick<
  EntryRow,
  "id" | "name" | "command" | "state" | "reason" | "exit_code" | "end_signal" | "exit_status" | "started_at" | "ended_at" | "session_bound" | "activity" | "left_running" | "told"
>;

export interface Notice {
  id: string;
  /** What was told, as `told` keeps it. */
  key: string;
  line: string;
}

export interface TellOptions {
  /** The agent tells its model itself when one of its background tasks ends (Claude Code 2.1.332). */
  agentTellsEnds: boolean;
}

const LABEL_MAX = 60;

/** Why supervise ended a command, in the words the agent reads. */
const ENDED_BECAUSE: Partial<Record<EndReason, string>> = {
  deadline: "its deadline passed",
  stalled: "it made no progress for its idle timeout",
  "parent-died": "the process that started it died",
  "owner-dead": "the agent that owned it was gone",
  overdue: "it ran past its deadline with its wrapper gone",
  "session-end": "its session ended",
  manual: "`supervise kill` asked",
};

/** The keys an entry's `told` holds; anything unreadable holds none. */
export function toldKeys(told: string | null | undefined): string[] {
  if (!told) return [];
  try {
    const keys = JSON.parse(told);
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

/** What this entry has that its session was not told yet, in the order to tell it. */
export function untoldNotices(row: NoticeRow, now: number, options: TellOptions): Notice[] {
  const told = new Set(toldKeys(row.told));
  const notice = row.ended_at === null ? runningNotice(row, now) : endNotice(row, options);
  return notice && !told.has(notice.key) ? [notice] : [];
}

/** The keys to store once `told` is told too, keeping only the latest few. */
export function toldAfter(row: Pick<NoticeRow, "told">, keys: readonly string[]): string {
  return JSON.stringify([...toldKeys(row.told), ...keys].slice(-8));
}

function runningNotice(row: NoticeRow, now: number): Notice | null {
  if (row.state !== "running") return null;
  const a = parseActivity(row.activity);
  if (a === null || !TOLD_STATES.has(a.state)) return null;
  const held = formatDuration(Math.max(0, now - a.since));
  const said = a.lastLine ? `; its last output line: ${JSON.stringify(a.lastLine)}` : "";
  const what =
    a.state === "waiting-input"
      ? `has been waiting for input for ${held}${said}`
      : a.state === "spinning"
        ? `has used ${Math.round(a.cpuPercent)}% of a core for ${held} with no output${said}`
        : `has stalled: no CPU, no output and no listening socket for ${held}${said}`;
  return { id: row.id, key: `${a.state}@${a.since}`, line: `${subject(row)} ${what}` };
}

function endNotice(row: NoticeRow, options: TellOptions): Notice | null {
  const after = formatDuration(Math.max(0, row.ended_at! - row.started_at));
  const status = statusText(row);
  const left = parseLeftRunning(row.left_running);
  const because = row.reason ? ENDED_BECAUSE[row.reason] : undefined;
  let line: string;
  if (row.state === "lost") line = `${subject(row)} is gone with no end recorded: its wrapper and processes died unseen`;
  else if (because) line = `${subject(row)} was ended by supervise after ${after}: ${because} (${status})`;
  else if (row.reason === "leftovers") line = `${subject(row)} ${status} after ${after}; supervise then ended what it had left running`;
  else if (left) line = `${subject(row)} ${status} after ${after} but left ${plural(left.count, "process", "processes")} running: ${leftText(left)}`;
  // The agent's own background task: its end is the agent's to tell, when it does.
  else if (row.session_bound === 1 && !options.agentTellsEnds) line = `${subject(row)} finished: ${status} after ${after}`;
  else return null;
  if (left && (because || row.reason === "leftovers" || row.state === "lost")) line += `; still running: ${leftText(left)}`;
  return { id: row.id, key: "end", line };
}

function subject(row: Pick<NoticeRow, "id" | "name" | "command">): string {
  return `supervise: background ${JSON.stringify(label(row))} (${row.id})`;
}

/** Its name, else its command: a wrapped `bash -c TEXT` as TEXT. */
export function label(row: Pick<NoticeRow, "name" | "command">): string {
  let text = row.name;
  if (!text) {
    let argv: unknown;
    try {
      argv = JSON.parse(row.command);
    } catch {
      argv = null;
    }
    const words = Array.isArray(argv) ? argv.map(String) : [String(row.command)];
    text = words.length === 3 && /^(?:.*\/)?(?:ba|z|da)?sh$/.test(words[0]!) && words[1] === "-c" ? words[2]! : words.join(" ");
  }
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > LABEL_MAX ? `${line.slice(0, LABEL_MAX - 1)}…` : line;
}

function statusText(row: Pick<NoticeRow, "exit_code" | "end_signal" | "exit_status">): string {
  if (row.end_signal) return `killed by SIG${row.end_signal}`;
  if (row.exit_code !== null) return `exited ${row.exit_code}`;
  return row.exit_status !== null ? `exit status ${row.exit_status}` : "exit status unknown";
}

function leftText(left: NonNullable<ReturnType<typeof parseLeftRunning>>): string {
  const named = left.processes.map((p) => `${p.command} (pid ${p.pid})`).join(", ");
  const more = left.count - left.processes.length;
  return more > 0 ? `${named} and ${more} more` : named;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
