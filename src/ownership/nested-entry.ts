// A nested `supervise run` inside an entry: its wrapper inherits the outer entry's cookie and
// may sit in its group, while the command it starts carries a cookie of its own. The wrapper
// is known by that: a child of it carries a SUPERVISE_ID other than the outer entry's.

import { environVar } from "./cookie.ts";

const COOKIE = "SUPERVISE_ID";

/** Of `candidates` (pids of the entry `ownId`), those a child of which (in `all`) carries another entry's cookie. */
export function nestedWrappers(
  candidates: Iterable<number>,
  all: Iterable<{ pid: number; ppid: number }>,
  ownId: string,
  environOf: (pid: number) => string | null,
): Set<number> {
  const wanted = new Set(candidates);
  const found = new Set<number>();
  for (const p of all) {
    if (!wanted.has(p.ppid) || found.has(p.ppid)) continue;
    const id = environVar(environOf(p.pid), COOKIE);
    if (id !== undefined && id !== ownId) found.add(p.ppid);
  }
  return found;
}
