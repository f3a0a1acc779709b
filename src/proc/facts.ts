// What else /proc says of a process, read only where a rule needs it: its environment
// (the ownership cookies), command line, owner and pid namespace.

import { nodeFs } from "../lazy-fs.ts";
import { readProcText, unreadable } from "./read.ts";

/** The variables a process was started with; null when unreadable. */
export function readEnviron(pid: number): string | null {
  try {
    return readProcText(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
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

export function readCmdline(pid: number): string[] | null {
  try {
    return splitCmdline(readProcText(`/proc/${pid}/cmdline`));
  } catch {
    return null;
  }
}

/** cmdline's NUL-separated words; the last one ends with a NUL too. */
function splitCmdline(raw: string): string[] {
  const words = raw.split("\0");
  if (words.at(-1) === "") words.pop();
  return words;
}

/** The pid namespace a process is in ("pid:[4026531836]"); null when unreadable. */
export function readPidNamespace(pid: number | "self"): string | null {
  try {
    return nodeFs().readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** The same facts read on Bun's I/O threads: a sweep asks for hundreds at once. Null when unreadable. */
export function readEnvironAsync(pid: number): Promise<string | null> {
  return Bun.file(`/proc/${pid}/environ`).text().then((text) => text, unreadable);
}

export function readCmdlineAsync(pid: number): Promise<string[] | null> {
  return Bun.file(`/proc/${pid}/cmdline`).text().then(splitCmdline, unreadable);
}

/**
 * The owner uid of a process, one definition for both readers: the owner of its /proc
 * directory, which is its effective uid (root's for a process that is not dumpable).
 */
function ownerPath(pid: number): string {
  return `/proc/${pid}`;
}

export function readUidAsync(pid: number): Promise<number | null> {
  return Bun.file(ownerPath(pid)).stat().then((s) => s.uid, unreadable);
}

export function readPidNamespaceAsync(pid: number): Promise<string | null> {
  return (require("node:fs/promises") as typeof import("node:fs/promises")).readlink(`/proc/${pid}/ns/pid`).catch(unreadable);
}

/** The same, synchronously; null when it is gone. */
export function readUid(pid: number): number | null {
  try {
    return nodeFs().statSync(ownerPath(pid)).uid;
  } catch {
    return null;
  }
}
