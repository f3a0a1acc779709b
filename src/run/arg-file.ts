// `run --arg-file FILE`: the command's last argument is FILE's contents. The agent hooks pass
// a long background command this way: their rewrite must keep the original in the text the
// agent's permission rules judge (`false && bash -c '<original>'`), and a second copy in the
// same text would make the one argument the agent hands to its shell twice as long, past the
// kernel's limit for one argument. The hooks' files live in <state>/commands (0600), and run
// removes such a file once read; a file anywhere else is only read.

import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { nodeFs } from "../lazy-fs.ts";
import { ensureStateDir } from "../state-dir.ts";

/** A file the agent never ran (a denied call) is removed by a later hook after this long. */
const UNUSED_FILE_MS = 24 * 60 * 60 * 1000;

export function commandFilesDir(stateDir: string): string {
  return join(stateDir, "commands");
}

/** Where the hook will put the next command: named before it is written, so the rewrite's length is known first. */
export function nextCommandFile(stateDir: string): string {
  return join(commandFilesDir(stateDir), `${crypto.randomUUID()}.sh`);
}

/** Writes `command` to `path` (0600, a new file), after removing the unused files of a day ago. */
export function writeCommandFile(stateDir: string, path: string, command: string, now = Date.now()): void {
  const fs = nodeFs();
  const dir = commandFilesDir(stateDir);
  ensureStateDir(dir);
  for (const name of fs.readdirSync(dir)) {
    try {
      const file = join(dir, name);
      if (now - fs.lstatSync(file).mtimeMs > UNUSED_FILE_MS) fs.rmSync(file, { force: true });
    } catch {}
  }
  fs.writeFileSync(path, command, { mode: 0o600, flag: "wx" });
}

/**
 * FILE's bytes, as run's last argument. Only a regular file is read (opened non-blocking, so
 * a FIFO cannot hang the wrapper); one of the hooks' own is removed once read.
 */
export function readArgFile(path: string, stateDir: string): Uint8Array {
  const fs = nodeFs();
  let fd: number | null = null;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) throw new UsageError(`--arg-file ${path}: not a regular file`);
    const bytes = new Uint8Array(fs.readFileSync(fd));
    if (isHooksFile(path, stateDir)) fs.rmSync(path, { force: true });
    return bytes;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --arg-file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

function isHooksFile(path: string, stateDir: string): boolean {
  return dirname(resolve(path)) === resolve(commandFilesDir(stateDir));
}
