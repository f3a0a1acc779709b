// What /proc says of one process, through one reader with two implementations: readNow
// (synchronous, for a process or a few) and readInBatch (on Bun's I/O threads, for a sweep
// that asks of thousands at once). Each fact is null when unreadable: the process exited, or
// EACCES; callers treat that as unknown.

import { nodeFs } from "../lazy-fs.ts";
import { readProcText, unreadable } from "./read.ts";
import { parseStat, type ProcStat, type StatReader } from "./stat.ts";

/** A process by pid, or this one. */
type Pid = number | "self";

/** The facts, each null when unreadable. */
export interface ProcFacts {
  stat: ProcStat | null;
  /** The variables it was started with, NUL-separated. */
  environ: string | null;
  cmdline: string[] | null;
  /** The owner of its /proc directory, which is its effective uid (root's for a process that is not dumpable). */
  uid: number | null;
  /** Its pid namespace ("pid:[4026531836]"). */
  pidNamespace: string | null;
}

export type SyncReader = { [K in keyof ProcFacts]: (pid: Pid) => ProcFacts[K] };
export type BatchReader = { [K in keyof ProcFacts]: (pid: Pid) => Promise<ProcFacts[K]> };

/** cmdline's NUL-separated words; the last one ends with a NUL too. */
function splitCmdline(raw: string): string[] {
  const words = raw.split("\0");
  if (words.at(-1) === "") words.pop();
  return words;
}

const asText = (text: string) => text;
const nsLink = (pid: Pid) => `/proc/${pid}/ns/pid`;

/** A text fact read now: the file's text as `parse` reads it, or null. */
function textNow<T>(pid: Pid, file: string, parse: (text: string) => T | null): T | null {
  try {
    return parse(readProcText(`/proc/${pid}/${file}`));
  } catch {
    return null;
  }
}

function textInBatch<T>(pid: Pid, file: string, parse: (text: string) => T | null): Promise<T | null> {
  return Bun.file(`/proc/${pid}/${file}`).text().then(parse, unreadable);
}

export const readNow: SyncReader = {
  stat: (pid) => textNow(pid, "stat", parseStat),
  environ: (pid) => textNow(pid, "environ", asText),
  cmdline: (pid) => textNow(pid, "cmdline", splitCmdline),
  uid(pid) {
    try {
      return nodeFs().statSync(`/proc/${pid}`).uid;
    } catch {
      return null;
    }
  },
  pidNamespace(pid) {
    try {
      return nodeFs().readlinkSync(nsLink(pid));
    } catch {
      return null;
    }
  },
};

export const readInBatch: BatchReader = {
  stat: (pid) => textInBatch(pid, "stat", parseStat),
  environ: (pid) => textInBatch(pid, "environ", asText),
  cmdline: (pid) => textInBatch(pid, "cmdline", splitCmdline),
  uid: (pid) => Bun.file(`/proc/${pid}`).stat().then((s) => s.uid, unreadable),
  pidNamespace: (pid) => (require("node:fs/promises") as typeof import("node:fs/promises")).readlink(nsLink(pid)).catch(unreadable),
};

/**
 * Many processes' stat at once, in a batch. The returned reader answers from what was read
 * (null for a pid not asked for).
 */
export async function prefetchStats(pids: Iterable<number>): Promise<StatReader> {
  const unique = Array.from(new Set(pids));
  const stats = await Promise.all(unique.map(readInBatch.stat));
  const byPid = new Map<number, ProcStat | null>();
  for (let i = 0; i < unique.length; i++) byPid.set(unique[i]!, stats[i]!);
  return (pid) => byPid.get(pid) ?? null;
}

/** Whether NAME=VALUE is one of the NUL-separated entries (exactly, not as a prefix). */
export function environHas(environ: string, name: string, value: string): boolean {
  const entry = `${name}=${value}`;
  let at = environ.indexOf(entry);
  while (at !== -1) {
    const end = at + entry.length;
    if ((at === 0 || environ[at - 1] === "\0") && (end === environ.length || environ[end] === "\0")) return true;
    at = environ.indexOf(entry, at + 1);
  }
  return false;
}
