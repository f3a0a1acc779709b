// `run --capture`: the command's stdout and stderr pass through to ours unchanged, chunk by
// chunk as they arrive (nothing is held back for a newline), and are appended to
// <state>/output/<id>.log, bounded by rotation (see files.ts), with when each part arrived in
// <id>.times (see marks.ts). The marks count toward the bound.

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { outputDir, outputPath, previousOutputPath } from "./files.ts";
import { formatMark, marksPath, previousMarksPath } from "./marks.ts";

export interface OutputFile {
  append(chunk: Uint8Array): void;
  close(): void;
}

/** Created before the ledger row, so anyone who can see the entry can follow its output. */
export function openOutputFile(stateDir: string, id: string, maxBytes: number, now: () => number = Date.now): OutputFile {
  mkdirSync(outputDir(stateDir), { recursive: true, mode: 0o700 });
  const path = outputPath(stateDir, id);
  const times = marksPath(stateDir, id);
  const half = Math.max(512, Math.floor(maxBytes / 2));
  let fd = openSync(path, "a", 0o600);
  let marksFd = openSync(times, "a", 0o600);
  // Bytes of the current log, and of it and its marks together (what the bound counts).
  let size = 0;
  let used = 0;
  let lastMark = -1;
  let broken = false;
  const rotate = (data: Uint8Array, at: number): Uint8Array => {
    closeSync(fd);
    closeSync(marksFd);
    const mark = formatMark(0, at);
    if (data.length + mark.length > half) {
      // Bigger than a file with its mark: its newest bytes fill both files, and what was
      // kept before goes, since it no longer joins up with them.
      const room = half - mark.length;
      const tail = data.subarray(Math.max(0, data.length - 2 * room));
      writeFileSync(previousOutputPath(stateDir, id), tail.subarray(0, tail.length - room), { mode: 0o600 });
      writeFileSync(previousMarksPath(stateDir, id), mark, { mode: 0o600 });
      rmSync(path, { force: true });
      rmSync(times, { force: true });
      data = tail.subarray(tail.length - room);
    } else {
      renameSync(path, previousOutputPath(stateDir, id));
      renameSync(times, previousMarksPath(stateDir, id));
    }
    fd = openSync(path, "a", 0o600);
    marksFd = openSync(times, "a", 0o600);
    size = used = 0;
    lastMark = -1;
    return data;
  };
  return {
    append(chunk) {
      if (broken) return;
      try {
        const at = now();
        let data = chunk;
        const markLength = at === lastMark ? 0 : formatMark(size, at).length;
        if (used + markLength + data.length > half) data = rotate(data, at);
        if (at !== lastMark) {
          used += writeSync(marksFd, formatMark(size, at));
          lastMark = at;
        }
        writeSync(fd, data);
        size += data.length;
        used += data.length;
      } catch {
        // A full disk stops the copy, never the command or its output to the caller.
        broken = true;
      }
    },
    close() {
      for (const each of [fd, marksFd]) {
        try {
          closeSync(each);
        } catch {}
      }
    },
  };
}

/** One of the command's streams as we read it; `release` closes our read end. */
export interface CommandOutput {
  stream: ReadableStream<Uint8Array>;
  release(): void;
}

/**
 * Copies one of the command's streams to ours and to the file until it ends. When our reader
 * is gone (EPIPE), so is the command's: we stop reading and close our end, and its next write
 * gets SIGPIPE or EPIPE, as it would unwrapped. What arrived before is in the file.
 */
export async function pump(output: CommandOutput, to: typeof Bun.stdout, file: OutputFile): Promise<void> {
  const reader = output.stream.getReader();
  let passThrough = true;
  try {
    for (;;) {
      // A read that fails ends the copy like the end of the stream.
      const next = await reader.read().catch(() => null);
      if (next === null || next.done) return;
      const { value } = next;
      const failure = passThrough ? await Bun.write(to, value).then(() => null, (error: NodeJS.ErrnoException) => error) : null;
      file.append(value);
      if (failure?.code === "EPIPE") {
        await reader.cancel().catch(() => {});
        return;
      }
      // Another failure (a full disk behind our stdout): keep capturing, stop passing through.
      if (failure) passThrough = false;
    }
  } finally {
    output.release();
  }
}
