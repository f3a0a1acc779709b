// `supervise logs ID [--follow] [--tail N] [--since DUR] [--timestamps]`: an entry's captured
// output (`run --capture`); --tail N only its last N lines, --since DUR only what arrived in
// the last DUR, --timestamps each line with when it arrived; --follow keeps printing what the
// command writes until the entry ends.

import type { Database } from "bun:sqlite";
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { stdoutReaderGone, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { outputPath, previousOutputPath } from "../capture/files.ts";
import { marksPath, previousMarksPath, readMarks } from "../capture/marks.ts";
import { createStamper, joinLines, selectLines, timedLines } from "../capture/stamp.ts";
import { SuperviseError, UsageError } from "../errors.ts";
import { getEntry } from "../ledger/entries.ts";
import { readingLedger } from "../ledger/open.ts";
import { openEntry } from "../ledger/resolve.ts";
import { currentState, isFinished } from "../entry/liveness.ts";
import { stateDir } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";

const FOLLOW_MIN_MS = 20;
const FOLLOW_MAX_MS = 200;

interface Selection {
  following: boolean;
  /** --tail N */
  lines: number | null;
  /** --since DUR, as the earliest arrival (epoch ms) */
  since: number | null;
  stamped: boolean;
}

export default async function logs(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { follow: { short: "f" }, tail: { short: "n", value: true }, since: { value: true }, timestamps: { short: "t" } }, { positionals: 1, missing: "missing entry id (usage: supervise logs ID [--follow] [--tail N] [--since DUR] [--timestamps])" });
  const tailText = stringOption(options, "tail");
  if (tailText !== undefined && !/^[0-9]+$/.test(tailText)) throw new UsageError(`invalid line count for --tail: ${JSON.stringify(tailText)} (a whole number, as tail -n)`);
  const sinceText = stringOption(options, "since");
  const within = sinceText === undefined ? Infinity : parseDuration(sinceText, "--since");
  const selection: Selection = {
    following: options.follow === true,
    lines: tailText === undefined ? null : Number(tailText),
    since: Number.isFinite(within) ? Date.now() - within : null,
    stamped: options.timestamps === true,
  };
  const dir = stateDir();
  return readingLedger(dir, () => printLogs(dir, positionals[0]!, selection));
}

async function printLogs(dir: string, word: string, selection: Selection): Promise<number> {
  const { db, row } = openEntry(dir, word);
  const path = outputPath(dir, row.id);
  if (!existsSync(path)) throw new SuperviseError(`entry ${row.id} has no captured output (run it with --capture)`, { exitCode: 1 });
  // Set once what was there is printed: only --follow's later pieces go through it.
  let stamper: ReturnType<typeof createStamper> | null = null;
  const reader = openTail(path, (bytes, offset, rotatedAway) => (stamper ? stamper.stamp(bytes, offset, readMarks(rotatedAway ? previousMarksPath(dir, row.id) : marksPath(dir, row.id))) : bytes));
  try {
    const previousPath = previousOutputPath(dir, row.id);
    const previous = existsSync(previousPath) ? readFileSync(previousPath) : null;
    if (selection.lines === null && selection.since === null && !selection.stamped) {
      if (previous) await writeOut(previous);
      await reader.drain();
    } else {
      // Both files are bounded (run.captureMaxBytes): read whole, cut to the lines asked for.
      const current = reader.readRest();
      // One text: a line the rotation cut in two is one line, timed by its first byte.
      const before = previous ?? Buffer.alloc(0);
      const marks = [...(previous ? readMarks(previousMarksPath(dir, row.id)) : []), ...readMarks(marksPath(dir, row.id)).map((m) => ({ offset: m.offset + before.length, at: m.at }))];
      const lines = timedLines(Buffer.concat([before, current]), marks);
      const chosen = selectLines(lines, selection.since, selection.lines);
      await writeOut(joinLines(chosen, selection.stamped));
      // Following on from the middle of a line: no stamp until the next one starts.
      const last = current.at(-1) ?? previous?.at(-1);
      if (selection.stamped) stamper = createStamper(last === undefined || last === 0x0a);
    }
    if (selection.following) await follow(db, row.id, reader);
  } finally {
    reader.close();
  }
  return 0;
}

/** Until the entry ends: print what was appended, backing off while nothing comes. */
async function follow(db: Database, id: string, reader: Tail): Promise<void> {
  let delay = FOLLOW_MIN_MS;
  for (;;) {
    const row = getEntry(db, id);
    const over = row === null || isFinished(currentState(row));
    // After the end is seen, one more drain: the last bytes were written before it.
    const printed = await reader.drain();
    // Nobody reads any more (`logs --follow ID | head`): following on would only wait.
    if (over || stdoutReaderGone()) return;
    delay = printed ? FOLLOW_MIN_MS : Math.min(delay * 2, FOLLOW_MAX_MS);
    await Bun.sleep(delay);
  }
}

interface Tail {
  /** Prints what was appended since the last call, across a rotation; bytes printed. */
  drain(): Promise<number>;
  /** What is left to read of the file, returned instead of printed. */
  readRest(): Buffer;
  close(): void;
}

/** `transform`: what to print of a piece read at `offset` of the file (`rotatedAway`: now <id>.log.1). */
type Transform = (bytes: Uint8Array, offset: number, rotatedAway: boolean) => Uint8Array;

function openTail(path: string, transform: Transform): Tail {
  let fd = openSync(path, "r");
  let offset = 0;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const readAll = async () => {
    const rotatedAway = statSync(path, { throwIfNoEntry: false })?.ino !== fstatSync(fd).ino;
    let total = 0;
    for (let n = readSync(fd, buffer); n > 0 && !stdoutReaderGone(); n = readSync(fd, buffer)) {
      await writeOut(transform(buffer.subarray(0, n), offset, rotatedAway));
      offset += n;
      total += n;
    }
    return total;
  };
  return {
    readRest() {
      const parts: Buffer[] = [];
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
        parts.push(Buffer.from(buffer.subarray(0, n)));
        offset += n;
      }
      return Buffer.concat(parts);
    },
    async drain() {
      let total = await readAll();
      // Rotated: our fd still reads the old file (now .1) to its end; then the new one from 0.
      const current = statSync(path, { throwIfNoEntry: false });
      if (current && current.ino !== fstatSync(fd).ino) {
        total += await readAll();
        closeSync(fd);
        fd = openSync(path, "r");
        offset = 0;
        total += await readAll();
      }
      return total;
    },
    close: () => closeSync(fd),
  };
}
