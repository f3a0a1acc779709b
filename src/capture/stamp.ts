// Captured output as lines with their arrival times (marks.ts), for `logs --since` and
// `--timestamps`: a line's time is its first byte's, and a stamp is that time in ISO 8601 UTC
// followed by one space, as `docker logs --timestamps` prints it.

import { arrivalOf, type Mark } from "./marks.ts";

export interface TimedLine {
  /** The line with its newline, if it has one (the last may not). */
  bytes: Uint8Array;
  /** Null for output captured with no marks. */
  at: number | null;
}

/** Stands in for a time no mark gives. */
const UNKNOWN_STAMP = "-".padEnd(24, " ");

export function stampOf(at: number | null): string {
  return `${at === null ? UNKNOWN_STAMP : new Date(at).toISOString()} `;
}

export function timedLines(bytes: Uint8Array, marks: readonly Mark[]): TimedLine[] {
  const lines: TimedLine[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    lines.push({ bytes: bytes.subarray(start, end), at: arrivalOf(marks, start) });
    start = end;
  }
  return lines;
}

/** Lines that arrived at or after `since` (a line with no time is kept: nothing shows it older), then the last `count`. */
export function selectLines(lines: readonly TimedLine[], since: number | null, count: number | null): TimedLine[] {
  const recent = since === null ? lines : lines.filter((line) => line.at === null || line.at >= since);
  return count === null ? [...recent] : count === 0 ? [] : recent.slice(-count);
}

export function joinLines(lines: readonly TimedLine[], stamped: boolean): Uint8Array {
  const encoder = new TextEncoder();
  return Buffer.concat(lines.flatMap((line) => (stamped ? [encoder.encode(stampOf(line.at)), line.bytes] : [line.bytes])));
}

/** Stamps a stream read piece by piece: a stamp wherever a line starts, even across pieces. */
export function createStamper(atLineStart: boolean) {
  const encoder = new TextEncoder();
  return {
    /** `offset`: where `bytes` start in the file `marks` describe. */
    stamp(bytes: Uint8Array, offset: number, marks: readonly Mark[]): Uint8Array {
      const parts: Uint8Array[] = [];
      for (let start = 0; start < bytes.length; ) {
        if (atLineStart) parts.push(encoder.encode(stampOf(arrivalOf(marks, offset + start))));
        const newline = bytes.indexOf(0x0a, start);
        const end = newline === -1 ? bytes.length : newline + 1;
        parts.push(bytes.subarray(start, end));
        atLineStart = newline !== -1;
        start = end;
      }
      return Buffer.concat(parts);
    },
  };
}
