// Is this a terminal, how wide, and may it have colour: from the fd's device number, since
// node:tty loads the same stream machinery as process.stdout.

/** Linux terminal devices by major number: virtual consoles (4), /dev/tty and console (5), pseudo-terminals (136-143). */
function isTerminalMajor(major: number): boolean {
  return major === 4 || major === 5 || (major >= 136 && major <= 143);
}

/** Whether fd is a terminal, from its device number (no node:tty, no node:fs). */
export async function isTerminal(fd: 0 | 1 | 2): Promise<boolean> {
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

/** $COLUMNS, else the terminal's width, else null (not a terminal: nothing is cut). A width of 0 (`script`, some CI and IDE terminals) is unknown: 80. */
export async function terminalWidth(fd: 1 | 2, env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const columns = Number(env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (!(await isTerminal(fd))) return null;
  const reported = (fd === 1 ? process.stdout : process.stderr).columns;
  return reported !== undefined && reported > 0 ? reported : 80;
}
