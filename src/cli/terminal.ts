// Is this a terminal, how wide, and may it have colour.

import { isatty } from "../proc/libc.ts";

/**
 * Whether fd is a terminal: isatty(3), so every kind counts (pseudo-terminals, consoles, ttyUSB,
 * ttyACM, hvc). Through libc: node:tty loads Node's streams at start-up.
 */
export async function isTerminal(fd: 0 | 1 | 2): Promise<boolean> {
  return isatty(fd) ?? (require("node:tty") as typeof import("node:tty")).isatty(fd);
}

/** Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export async function colorEnabled(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTerminal(fd);
}

/** $COLUMNS, else the terminal's width, else null (not a terminal: nothing is cut). A width of 0 (`script`, some CI and IDE terminals) is unknown: 80. */
export async function terminalWidth(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (!(await isTerminal(fd))) return null;
  const reported = (fd === 1 ? process.stdout : process.stderr).columns;
  return reported !== undefined && reported > 0 ? reported : 80;
}
