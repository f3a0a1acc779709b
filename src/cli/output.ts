// Writing to stdout and stderr. process.stdout's first use loads Node's stream machinery
// (~5 ms measured on Bun 1.4.5, more than the rest of `ls`), and so does importing
// node:tty (~6 ms); Bun.write to the fd and Bun.file(fd).stat() do not.

import { SuperviseError } from "../errors.ts";

/** Set once a write found stdout's reader gone: the rest of the output is dropped. */
let readerGone = false;

/**
 * Writes to stdout. When the reader has gone (`supervise ls | head`, EPIPE: Bun ignores
 * SIGPIPE, so the write fails instead of ending us) the output is dropped quietly and the
 * command finishes its work and exits with its own status; `logs --follow` stops.
 */
export async function writeOut(text: string | Uint8Array): Promise<number> {
  if (readerGone) return 0;
  try {
    return await Bun.write(Bun.stdout, text);
  } catch (error) {
    if (!isBrokenPipe(error)) throw new SuperviseError(`cannot write to standard output: ${(error as Error).message}`, { cause: error });
    readerGone = true;
    return 0;
  }
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

/** Linux terminal devices by major number: virtual consoles (4), /dev/tty and console (5), pseudo-terminals (136-143). */
function isTerminalMajor(major: number): boolean {
  return major === 4 || major === 5 || (major >= 136 && major <= 143);
}

/** Whether fd is a terminal, from its device number (no node:tty, no node:fs). */
export async function isTerminal(fd: 1 | 2): Promise<boolean> {
  try {
    const stat = await Bun.file(fd).stat();
    return stat.isCharacterDevice() && isTerminalMajor(Math.floor(Number(stat.rdev) / 256) & 0xfff);
  } catch {
    return false;
  }
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export async function colorEnabled(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTerminal(fd);
}

/** $COLUMNS, else the terminal's width, else null (not a terminal: nothing is cut). */
export async function terminalWidth(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (!(await isTerminal(fd))) return null;
  return (fd === 1 ? process.stdout : process.stderr).columns ?? 80;
}
