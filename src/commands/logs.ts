// `supervise logs ID [--follow] [--tail N]`: an entry's captured output (`run --capture`);
// --tail N only its last N lines; --follow keeps printing what the command writes until the
// entry ends.

import type { Database } from "bun:sqlite";
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { stdoutReaderGone, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { outputPath, previousOutputPath } from "../capture/files.ts";
import { SuperviseError, UsageError } from "../errors.ts";
import { getEntry } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { resolveEntry } from "../ledger/resolve.ts";
import { currentState, isFinished } from "../entry/liveness.ts";
import { stateDir } from "../state-dir.ts";

const FOLLOW_MIN_MS = 20;
const FOLLOW_MAX_MS = 200;

export default async function logs(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { follow: { short: "f" }, tail: { short: "n", value: true } });
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}'` : "missing entry id (usage: supervise logs ID [--follow] [--tail N])");
  const tailText = stringOption(options, "tail");
  if (tailText !== undefined && !/^[0-9]+$/.test(tailText)) throw new UsageError(`invalid line count for --tail: ${JSON.stringify(tailText)} (a whole number, as tail -n)`);
  const dir = stateDir();
  return readingLedger(dir, () => printLogs(dir, positionals[0]!, options.follow === true, tailText === undefined ? null : Number(tailText)));
}

async function printLogs(dir: string, word: string, following: boolean, lines: number | null): Promise<number> {
  const db = existingLedger(dir);
  if (!db) throw new UsageError(`no entry '${word}'`);
  const row = resolveEntry(db, word);
  const path = outputPath(dir, row.id);
  if (!existsSync(path)) throw new SuperviseError(`entry ${row.id} has no captured output (run it with --capture)`, { exitCode: 1 });
  const reader = openTail(path);
  try {
    const previous = existsSync(previousOutputPath(dir, row.id)) ? readFileSync(previousOutputPath(dir, row.id)) : null;
    if (lines === null) {
      if (previous) await writeOut(previous);
      await reader.drain();
    } else {
      // Both files are bounded (run.captureMaxBytes): read whole, cut to the last lines.
      const kept = Buffer.concat([previous ?? Buffer.alloc(0), reader.readRest()]);
      await writeOut(lastLines(kept, lines));
    }
    if (following) await follow(db, row.id, reader);
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

/** The last `count` lines of `bytes`, as tail -n: a final newline ends the last line, it starts none. */
export function lastLines(bytes: Uint8Array, count: number): Uint8Array {
  if (count === 0) return bytes.subarray(0, 0);
  let at = bytes.length - (bytes.at(-1) === 0x0a ? 1 : 0);
  for (let seen = 0; at > 0; at--) {
    if (bytes[at - 1] === 0x0a && ++seen === count) break;
  }
  return bytes.subarray(at);
}

interface Tail {
  /** Prints what was appended since the last call, across a rotation; bytes printed. */
  drain(): Promise<number>;
  /** What is left to read of the file, returned instead of printed. */
  readRest(): Buffer;
  close(): void;
}

function openTail(path: string): Tail {
  let fd = openSync(path, "r");
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const readAll = async () => {
    let total = 0;
    for (let n = readSync(fd, buffer); n > 0 && !stdoutReaderGone(); n = readSync(fd, buffer)) {
      await writeOut(buffer.subarray(0, n));
      total += n;
    }
    return total;
  };
  return {
    readRest() {
      const parts: Buffer[] = [];
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) parts.push(Buffer.from(buffer.subarray(0, n)));
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
        total += await readAll();
      }
      return total;
    },
    close: () => closeSync(fd),
  };
}
