// Writing to stdout and stderr. process.stdout's first use loads Node's stream machinery
// (~5 ms measured on Bun 1.4.5, more than the rest of `ls`), and so does importing
// node:tty (~6 ms); Bun.write to the fd and a readlink of /proc/self/fd do not.

export function writeOut(text: string | Uint8Array): Promise<number> {
  return Bun.write(Bun.stdout, text);
}

export function writeErr(text: string): Promise<number> {
  return Bun.write(Bun.stderr, text);
}

/** Whether fd is a terminal, by what it points to (Linux names every tty under /dev/pts or /dev/tty*). */
export function isTerminal(fd: 1 | 2): boolean {
  try {
    // node:fs is required here, not imported: cli.ts loads this module on every path.
    const { readlinkSync } = require("node:fs") as typeof import("node:fs");
    return /^\/dev\/(pts\/|tty|console$)/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTerminal(fd);
}

/** $COLUMNS, else the terminal's width, else null (not a terminal: nothing is cut). */
export function terminalWidth(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): number | null {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (!isTerminal(fd)) return null;
  return (fd === 1 ? process.stdout : process.stderr).columns ?? 80;
}
