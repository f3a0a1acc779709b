// Reading /proc files. Every read can fail (the process exited, EACCES, a kernel thread):
// callers turn a failed read into "unknown" (null), never a match and never a crash.

import { nodeFs } from "../lazy-fs.ts";

/** Shared by every /proc read; grows for the rare large file (a long environment). */
let scratch = Buffer.allocUnsafe(4096);

/**
 * A /proc file's text. /proc files report size 0, so readFileSync allocates 256 KiB for each
 * read: 10 wrappers checked every few seconds, or a 3,000-process sweep, churned the heap
 * enough to keep Bun's GC threads busy. One reused buffer does not.
 */
export function readProcText(path: string): string {
  const { openSync, readSync, closeSync } = nodeFs();
  const fd = openSync(path, "r");
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return scratch.toString("utf8", 0, length);
  } finally {
    closeSync(fd);
  }
}

export function readNumber(path: string): number | null {
  try {
    const value = Number(readProcText(path).trim());
    return Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}

export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of nodeFs().readdirSync("/proc")) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(name));
  }
  return pids;
}

/** A failed asynchronous read: unknown. */
export const unreadable = (): null => null;
