// `run --capture`: the command's stdout and stderr pass through to ours unchanged, chunk by
// chunk as they arrive (nothing is held back for a newline), and are appended to
// <state>/output/<id>.log, bounded by rotation (see files.ts).

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { outputDir, outputPath, previousOutputPath } from "./files.ts";

export interface OutputFile {
  append(chunk: Uint8Array): void;
  close(): void;
}

/** Created before the ledger row, so anyone who can see the entry can follow its output. */
export function openOutputFile(stateDir: string, id: string, maxBytes: number): OutputFile {
  mkdirSync(outputDir(stateDir), { recursive: true, mode: 0o700 });
  const path = outputPath(stateDir, id);
  const half = Math.max(512, Math.floor(maxBytes / 2));
  let fd = openSync(path, "a", 0o600);
  let size = 0;
  let broken = false;
  return {
    append(chunk) {
      if (broken) return;
      try {
        let data = chunk;
        if (size + data.length > half) {
          closeSync(fd);
          if (data.length > half) {
            // Bigger than a file: its newest bytes fill both files, and what was kept before
            // goes, since it no longer joins up with them.
            const tail = data.subarray(Math.max(0, data.length - 2 * half));
            writeFileSync(previousOutputPath(stateDir, id), tail.subarray(0, tail.length - half), { mode: 0o600 });
            rmSync(path, { force: true });
            data = tail.subarray(tail.length - half);
          } else {
            renameSync(path, previousOutputPath(stateDir, id));
          }
          fd = openSync(path, "a", 0o600);
          size = 0;
        }
        writeSync(fd, data);
        size += data.length;
      } catch {
        // A full disk stops the copy, never the command or its output to the caller.
        broken = true;
      }
    },
    close() {
      try {
        closeSync(fd);
      } catch {}
    },
  };
}

/** Copies one of the command's streams to ours and to the file until it ends. */
export async function pump(stream: ReadableStream<Uint8Array>, to: typeof Bun.stdout, file: OutputFile): Promise<void> {
  let passThrough = true;
  for await (const chunk of stream) {
    if (passThrough) {
      // Our reader went away (EPIPE): keep capturing, stop passing through.
      await Bun.write(to, chunk).catch(() => (passThrough = false));
    }
    file.append(chunk);
  }
}
