// Writing to stdout and stderr through Bun.write: process.stdout's first use loads Node's
// stream machinery, which costs more than the rest of a command like `ls`.

import { SuperviseError } from "../errors.ts";

/** Set once a write found stdout's reader gone: the rest of the output is dropped. */
let readerGone = false;

/**
 * Writes to stdout. When the reader has gone (`supervise ls | head`, EPIPE: Bun ignores
 * SIGPIPE, so the write fails instead of ending us) the output is dropped quietly and the
 * command finishes its work and exits with its own status; `logs --follow` stops.
 */
export async function writeOut(text: string | Uint8Array): Promise<number> {
  // An empty write to a file truncates it (Bun.write), even one opened for appending (`>>`).
  if (readerGone || text.length === 0) return 0;
  try {
    return await Bun.write(Bun.stdout, text);
  } catch (error) {
    if (!isBrokenPipe(error)) throw new SuperviseError(`cannot write to standard output: ${(error as Error).message}`, { cause: error });
    readerGone = true;
    return 0;
  }
}

/** Bumped when a field of the commands' JSON changes meaning or goes; added fields keep it. */
export const JSON_SCHEMA_VERSION = 1;

/**
 * A command's `--json` document: an object carries `schemaVersion` first. The contract's
 * arrays (ls, ps, kill, wait) stay arrays, so their consumers keep working.
 */
export function writeJson(document: object): Promise<number> {
  const value = Array.isArray(document) ? document : { schemaVersion: JSON_SCHEMA_VERSION, ...document };
  return writeOut(`${JSON.stringify(value, null, 2)}\n`);
}

/** Whether stdout's reader has gone: commands that stream stop then. */
export function stdoutReaderGone(): boolean {
  return readerGone;
}

/** Best effort: there is nowhere left to report a failure to write to stderr. */
export async function writeErr(text: string): Promise<number> {
  try {
    return await Bun.write(Bun.stderr, text);
  } catch {
    return 0;
  }
}

function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/** The one line a command says when it moved a corrupt ledger aside. */
export function warnLedgerMovedAside(target: string): void {
  void writeErr(`supervise: warning: the ledger was corrupt; moved it to ${target}\n`);
}
