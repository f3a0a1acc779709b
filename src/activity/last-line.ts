// The last line a command wrote, for telling the agent what a stalled command or an
// unanswered prompt last said. Read only from a regular file (a pipe would block, and its
// bytes are not ours to take), and only its tail.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const TAIL_BYTES = 4096;
const LINE_MAX = 200;

/** The last non-blank line of the file at `path`, without colour codes and shortened; null when there is none or it is not a regular file. */
export function lastLineOf(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size === 0) return null;
    const length = Math.min(TAIL_BYTES, stat.size);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, stat.size - length);
    return lastLine(buffer.subarray(0, read).toString("utf8"));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Of a text's tail: its last line with anything on it (a prompt has no newline yet), as one line of plain text. */
export function lastLine(text: string): string | null {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, "");
  // A progress bar redraws with \r: what is after the last one is what shows.
  const lines = plain.split("\n").map((line) => line.slice(line.lastIndexOf("\r") + 1).trimEnd());
  // eslint-disable-next-line no-control-regex
  const line = lines.reverse().find((l) => l.trim() !== "")?.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "").trim();
  if (!line) return null;
  return line.length > LINE_MAX ? `${line.slice(0, LINE_MAX - 1)}…` : line;
}
