// The working directory, also when it was removed under us: process.cwd() then throws,
// while the kernel still lets us run commands in it and names it in /proc/self/cwd.

import { nodeFs } from "./lazy-fs.ts";

const DELETED = " (deleted)";

export interface WorkingDirectory {
  path: string;
  /** False when the directory was removed (the path is where it was). */
  exists: boolean;
}

export function workingDirectory(): WorkingDirectory {
  try {
    return { path: process.cwd(), exists: true };
  } catch {
    return { path: removedPath(), exists: false };
  }
}

/** Where a removed working directory was; "/" when even that cannot be read. */
function removedPath(): string {
  try {
    const link = nodeFs().readlinkSync("/proc/self/cwd");
    return link.endsWith(DELETED) ? link.slice(0, -DELETED.length) : link;
  } catch {
    return "/";
  }
}
