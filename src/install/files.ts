// The install's file IO: read what is there, back it up, write the new text atomically.

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { SuperviseError, UsageError } from "../errors.ts";

/**
 * The file's text, or null when there is none. A path that cannot hold a file (it is a
 * directory, or runs through a file) refuses the install before anything is written.
 */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EISDIR") throw new UsageError(`${path} is a directory, not a file; not changed`, { cause: error });
    if (code === "ENOTDIR") throw new UsageError(`${path}: a part of that path is not a directory; not changed`, { cause: error });
    throw new SuperviseError(`${path} cannot be read (${(error as Error).message}); not changed`, { cause: error });
  }
}

/** The one backup of `path`: the file as it was before this change; an older backup of ours goes. */
export function backUp(path: string): string {
  const prefix = `${basename(path)}.supervise-backup-`;
  const target = `${path}.supervise-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  copyFileSync(path, target);
  for (const name of readdirSync(dirname(path))) {
    if (name.startsWith(prefix) && join(dirname(path), name) !== target) rmSync(join(dirname(path), name), { force: true });
  }
  return target;
}

/** What install wrote and uninstall emptied again: nothing of anyone else's is left in it. */
export function isEmptyAgain(text: string, kind: "json" | "toml"): boolean {
  if (kind === "toml") return text.trim() === "";
  try {
    const data: unknown = JSON.parse(text);
    return data !== null && typeof data === "object" && !Array.isArray(data) && Object.keys(data).length === 0;
  } catch {
    return false;
  }
}

/** Write beside, then rename: a crash never leaves half a settings file. Keeps the old mode. */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
  const temp = `${path}.supervise-${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}
