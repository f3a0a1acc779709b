// What of a command still runs as it ends: its group, its cookie carriers and the wrapper's
// other descendants (what it adopted as subreaper). Kept on the entry so that the agent can be
// told "it exited but left 2 processes running", instead of starting them again.

import { descendantsOf } from "../run/leftovers.ts";
import { findEntryProcesses, scanForEntry, type EntryRef } from "../proc/scan.ts";
import type { ProcStat } from "../proc/stat.ts";
import { readNow } from "../proc/facts.ts";

export interface LeftProcess {
  pid: number;
  /** Its command line, shortened; its comm when that cannot be read. */
  command: string;
}

/** At most this many are kept on the entry; a command that left more says how many. */
export const LEFT_MAX = 5;
const COMMAND_MAX = 120;

/** The entry's processes that still run, and (`adopts`: they are the command's) the wrapper's descendants, once each, oldest first. */
export function stillRunning(ref: EntryRef, adopts: boolean, self = process.pid, stats: readonly ProcStat[] = scanForEntry(ref), argv: (pid: number) => readonly string[] | null = readNow.cmdline): { count: number; processes: LeftProcess[] } {
  const found = findEntryProcesses(ref, stats);
  const byPid = new Map<number, ProcStat>();
  for (const p of [...found.members, ...found.carriers, ...(adopts ? descendantsOf(self, stats) : [])]) if (p.pid !== self) byPid.set(p.pid, p);
  const left = [...byPid.values()].sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  return { count: left.length, processes: left.slice(0, LEFT_MAX).map((p) => ({ pid: p.pid, command: shortCommand(argv(p.pid), p.comm) })) };
}

function shortCommand(argv: readonly string[] | null, comm: string): string {
  const text = argv && argv.length ? argv.join(" ") : comm;
  return text.length > COMMAND_MAX ? `${text.slice(0, COMMAND_MAX - 1)}…` : text;
}

/** As the ledger keeps it: null when nothing still runs. */
export function leftRunningJson(left: { count: number; processes: LeftProcess[] }): string | undefined {
  return left.count === 0 ? undefined : JSON.stringify(left);
}

/** The stored text, or null for anything that is not what leftRunningJson wrote. */
export function parseLeftRunning(text: string | null | undefined): { count: number; processes: LeftProcess[] } | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as { count?: unknown; processes?: unknown };
    if (!Number.isInteger(value?.count) || (value.count as number) < 1 || !Array.isArray(value.processes)) return null;
    const processes = value.processes.filter((p): p is LeftProcess => Number.isInteger(p?.pid) && typeof p?.command === "string");
    return { count: value.count as number, processes };
  } catch {
    return null;
  }
}
