// What /proc says of one process, through one reader with two implementations: readNow
// (synchronous, for a process or a few) and readInBatch (on Bun's I/O threads, for a sweep
// that asks of thousands at once). Each fact is null when unreadable: the process exited,
// EACCES, an execve that did not settle; callers treat that as unknown.

import { nodeFs } from "../lazy-fs.ts";
import { readProcText, unreadable } from "./read.ts";
import { isExiting, isGone, isKernelThread, parseStat, type ProcStat, type StatReader } from "./stat.ts";

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

/** How long a read that came back empty waits for an execve to lay out the new program; then it is unknown. */
export const EXEC_SETTLE_MS = 100;
/** What all such waits may take of each second: a machine full of re-exec loops reads them as unknown, not a stop slowed down. */
export const EXEC_WAIT_BUDGET_MS = 100;

const execWaits = { since: 0, spent: 0 };

/** Whether this second's budget allows one more wait for an execve. */
function mayWaitForExec(now: number): boolean {
  if (now - execWaits.since >= 1_000) Object.assign(execWaits, { since: now, spent: 0 });
  return execWaits.spent < EXEC_WAIT_BUDGET_MS;
}

function spentOnExec(since: number): void {
  execWaits.spent += Math.max(1, Date.now() - since);
}

/**
 * What an empty environ or cmdline read means, by the stat read after it. An execve swaps in
 * the new program's memory before it lays out its arguments and environment: until then
 * stat's env_end (field 51) reads 0 and both files read empty, so an empty read is trusted
 * only once the layout is there and a second read is empty too. One that exits, or has no
 * memory of its own (a kernel thread), reads as it does.
 */
export function emptyReadVerdict(statText: string | null, readAgain: boolean): "trust" | "wait" | "read-again" {
  const stat = statText === null ? null : parseStat(statText);
  if (stat === null || isGone(stat) || isExiting(stat) || isKernelThread(stat)) return "trust";
  const fields = statText!.slice(statText!.lastIndexOf(")") + 2).split(" ");
  // start_code reads 1 where the layout is not ours to see (another user's, or not dumpable): there is nothing to wait for.
  if (fields[23] === "1") return "trust";
  if (fields[48] === "0") return "wait";
  return readAgain ? "trust" : "read-again";
}

const rawNow = (pid: Pid, file: string) => textNow(pid, file, asText);

/** environ or cmdline read now, past an execve in progress (EXEC_SETTLE_MS at most, within the budget; then null). */
function laidOutNow<T>(pid: Pid, file: string, parse: (text: string) => T | null): T | null {
  let text = rawNow(pid, file);
  for (let until = Date.now() + EXEC_SETTLE_MS, readAgain = false; text === ""; text = rawNow(pid, file)) {
    const verdict = emptyReadVerdict(rawNow(pid, "stat"), readAgain);
    if (verdict === "trust") break;
    if (verdict === "read-again") readAgain = true;
    else {
      const now = Date.now();
      if (now >= until || !mayWaitForExec(now)) return null;
      Bun.sleepSync(1);
      spentOnExec(now);
    }
  }
  return text === null ? null : parse(text);
}

async function laidOutInBatch<T>(pid: Pid, file: string, parse: (text: string) => T | null): Promise<T | null> {
  const raw = (name: string) => textInBatch(pid, name, asText);
  let text = await raw(file);
  for (let until = Date.now() + EXEC_SETTLE_MS, readAgain = false; text === ""; text = await raw(file)) {
    const verdict = emptyReadVerdict(await raw("stat"), readAgain);
    if (verdict === "trust") break;
    if (verdict === "read-again") readAgain = true;
    else {
      const now = Date.now();
      if (now >= until || !mayWaitForExec(now)) return null;
      await Bun.sleep(1);
      spentOnExec(now);
    }
  }
  return text === null ? null : parse(text);
}

export const readNow: SyncReader = {
  stat: (pid) => textNow(pid, "stat", parseStat),
  environ: (pid) => laidOutNow(pid, "environ", asText),
  cmdline: (pid) => laidOutNow(pid, "cmdline", splitCmdline),
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
  environ: (pid) => laidOutInBatch(pid, "environ", asText),
  cmdline: (pid) => laidOutInBatch(pid, "cmdline", splitCmdline),
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
