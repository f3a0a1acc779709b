// When each part of an entry's captured output arrived: <id>.times beside <id>.log holds one
// "OFFSET MS" line (a byte offset into the log, epoch milliseconds) each time a chunk arrives
// on a later millisecond than the last mark. It rotates with the log, and `logs --since` and
// `--timestamps` read it; a line's time is its first byte's.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { outputDir } from "./files.ts";

const LAST_STAMPABLE_MS = Date.parse("9999-12-31T23:59:59.999Z");

export interface Mark {
  offset: number;
  at: number;
}

export function marksPath(stateDir: string, id: string): string {
  return join(outputDir(stateDir), `${id}.times`);
}

export function previousMarksPath(stateDir: string, id: string): string {
  return `${marksPath(stateDir, id)}.1`;
}

export function formatMark(offset: number, at: number): string {
  return `${offset} ${at}\n`;
}

/** The marks of one file, ascending; a torn or malformed line (a write cut short) is skipped. */
export function parseMarks(text: string): Mark[] {
  const marks: Mark[] = [];
  for (const line of text.split("\n")) {
    const match = /^([0-9]{1,15}) ([0-9]{1,15})$/.exec(line);
    if (!match) continue;
    const mark = { offset: Number(match[1]), at: Number(match[2]) };
    if (marks.length && mark.offset < marks.at(-1)!.offset) continue;
    // Past the year 9999 no ISO stamp has the width of the others.
    if (mark.at > LAST_STAMPABLE_MS) continue;
    marks.push(mark);
  }
  return marks;
}

/** [] when the file is missing or unreadable: output captured before marks existed has no times. */
export function readMarks(path: string): Mark[] {
  try {
    return parseMarks(readFileSync(path, "utf8"));
  } catch {
    return [];
  }
}

/** When the byte at `offset` arrived: the last mark at or before it; null before the first mark. */
export function arrivalOf(marks: readonly Mark[], offset: number): number | null {
  let low = 0;
  let high = marks.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (marks[mid]!.offset <= offset) low = mid + 1;
    else high = mid;
  }
  return low === 0 ? null : marks[low - 1]!.at;
}
