// The install's file IO: read what is there, back it up, write the new text atomically.

import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The file's text, or null when there is none. */
export function readText(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

export function backUp(path: string): string {
  const target = `${path}.supervise-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  copyFileSync(path, target);
  return target;
}

/** Write beside, then rename: a crash never leaves half a settings file. Keeps the old mode. */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
  const temp = `${path}.supervise-${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}
