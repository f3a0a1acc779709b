// A nested `supervise run` inside an entry: its wrapper inherits the outer entry's cookie and
// may sit in its group, while the command it starts carries a cookie of its own. The wrapper
// is known by its name: every wrapper names itself WRAPPER_COMM as it starts (before its row
// and its command exist), and, as a second sign, a child of it carries another SUPERVISE_ID
// (a command that drops or overwrites its environment hides only the second). A process that
// takes the name only makes supervise end less.

import { nodeFs } from "../lazy-fs.ts";
import { environVar } from "./cookie.ts";

const COOKIE = "SUPERVISE_ID";

/** The comm every wrapper gives itself (/proc/PID/stat's second field). */
export const WRAPPER_COMM = "supervise";

/** Names this process WRAPPER_COMM; the command it execs gets its own name back. False where /proc/self/comm cannot be written. */
export function nameSelfAsWrapper(): boolean {
  try {
    nodeFs().writeFileSync("/proc/self/comm", WRAPPER_COMM);
    return true;
  } catch {
    return false;
  }
}

/** Of `candidates` (processes of the entry `ownId`), the live wrappers of other entries: by name, or by a child (in `all`) carrying another entry's cookie. */
export function nestedWrappers(
  candidates: Iterable<{ pid: number; comm: string }>,
  all: Iterable<{ pid: number; ppid: number }>,
  ownId: string,
  environOf: (pid: number) => string | null,
): Set<number> {
  const found = new Set<number>();
  const wanted = new Set<number>();
  for (const c of candidates) (c.comm === WRAPPER_COMM ? found : wanted).add(c.pid);
  for (const p of all) {
    if (!wanted.has(p.ppid) || found.has(p.ppid)) continue;
    const id = environVar(environOf(p.pid), COOKIE);
    if (id !== undefined && id !== ownId) found.add(p.ppid);
  }
  return found;
}
