// Keep marks: what no automatic path ends. A process is kept by SUPERVISE_KEEP=1 in its
// environment, a reap.sessionKeep name, a reap.protect match in its command line, or by
// descending from a kept process of its own owner (below the agent or wrapper, never the
// user's tmux or sshd around them); one whose command line or environment cannot be read
// counts as kept. An environment written over by a title (setproctitle, perl's $0) counts
// as kept only where a keep was asked for: in the entry's recorded command or an
// ancestor's command line. Else nginx, postgres and any perl $0 would never be ended.

import { carriesKeep, environVar, sessionCookieOf } from "../ownership/cookie.ts";
import { COOKIE } from "../proc/scan.ts";
import { asksToBeKept } from "./asks-keep.ts";

export { asksToBeKept, recordedAsksToBeKept } from "./asks-keep.ts";

export interface KeepSettings {
  protect: readonly string[];
  /** Daemons a session may leave for the user (reap.sessionKeep). */
  sessionKeep: readonly string[];
  /** The entry's recorded command asks for SUPERVISE_KEEP=1 (asksToBeKept). */
  asked?: boolean;
}

export type KeepMark = "keep-var" | "session-keep" | "protect" | "unreadable" | "under-kept";

/** What keep marks are read from. `argv` and `environ` null: unreadable. */
export interface Markable {
  pid: number;
  ppid: number;
  /** Its process group; unknown, every ancestor may keep it. */
  pgrp?: number;
  comm: string;
  argv: readonly string[] | null;
  environ: string | null;
}

/** A protected pattern anywhere in the command line (plain substring, so "docker compose" works). */
export function isProtected(line: string, protect: readonly string[]): boolean {
  return protect.some((pattern) => pattern !== "" && line.includes(pattern));
}

/** Whether the process is called one of `names`: its comm, or argv[0]'s base name (a login shell's "-" dropped). */
export function isNamed(proc: Pick<Markable, "comm" | "argv">, names: readonly string[]): boolean {
  if (names.includes(proc.comm)) return true;
  const argv0 = proc.argv?.[0];
  return argv0 !== undefined && names.includes(argv0.slice(argv0.lastIndexOf("/") + 1).replace(/^-/, ""));
}

/**
 * Whether an environment reads as execve(2) leaves one: nothing at all (`env -i`), or
 * NAME=VALUE words, each ended by a NUL, none empty, the name free of blanks. A process that
 * rewrote its title (perl's $0, setproctitle) may have written over the area /proc shows as
 * its environment, with the title's words ("worker --opt=1 …") or NULs: what its keep mark
 * was cannot be read there.
 */
export function isWellFormedEnviron(environ: string): boolean {
  if (environ === "") return true;
  if (!environ.endsWith("\0")) return false;
  for (let start = 0; start < environ.length; ) {
    const stop = environ.indexOf("\0", start);
    const eq = environ.indexOf("=", start);
    if (stop === start || eq <= start || eq > stop) return false;
    if (/[\s\x00-\x1f]/.test(environ.slice(start, eq))) return false;
    start = stop + 1;
  }
  return true;
}

/**
 * Whether a title was written over the environment: it does not read as one, or it is the
 * tail of the command line. Linux's /proc/PID/cmdline runs on into the environment's area
 * when the title overwrote the NUL that ended the arguments, so there the environment's first
 * word ends the command line ("worker queue=default …" over "ueue=default …").
 */
export function environOverwritten(argv: readonly string[], environ: string): boolean {
  if (!isWellFormedEnviron(environ)) return true;
  const first = environ.slice(0, environ.indexOf("\0"));
  return first !== "" && argv.join("\0").endsWith(first);
}

/** The process's own keep mark, or null. `asked`: a keep was asked for above it (see the head of this file), worked out only for an overwritten environment. */
export function ownKeepMark(proc: Markable, settings: KeepSettings, asked: () => boolean = () => settings.asked === true): KeepMark | null {
  // An empty command line: one that gave no argv, or a snapshot taken inside an execve (proc/facts.ts waits those out): nothing to read a mark from.
  if (proc.environ === null || proc.argv === null || proc.argv.length === 0) return "unreadable";
  if (carriesKeep(proc.environ)) return "keep-var";
  if (environOverwritten(proc.argv, proc.environ) && (asked() || asksToBeKept(proc.argv.join(" ")))) return "unreadable";
  if (isNamed(proc, settings.sessionKeep)) return "session-keep";
  if (isProtected(proc.argv.join(" "), settings.protect)) return "protect";
  return null;
}

/**
 * Its own mark, else "under-kept" when a process it descends from is kept and is of its own
 * owner: the user's shells under a tmux server the agent started carry the agent's cookie
 * too. The walk goes up while the ancestor carries the process's session id (where it has
 * one), else any entry's SUPERVISE_ID where the process carries one (entries nest), else, for
 * a process with neither, shares its process group; it stops there, at init, a subreaper or the first process `byPid` does not know.
 * Above is what the owner runs under (the user's tmux, screen, an sshd): not its to keep.
 * A process whose environment cannot be read has cookies nobody knows: every ancestor counts.
 * `ownerScoped`: `byPid` holds only the owner's own tree (an entry's members, a wrapper's
 * descendants), so every ancestor it knows is the owner's.
 */
export function keepMarkOf(
  proc: Markable,
  settings: KeepSettings,
  byPid: ReadonlyMap<number, Markable>,
  subreapers: ReadonlySet<number> = new Set(),
  ownerScoped = false,
): KeepMark | null {
  const ofSameOwner = ownerScoped ? () => true : sameOwnerAs(proc);
  const ancestors: Markable[] = [];
  const seen = new Set<number>([proc.pid]);
  for (let p = byPid.get(proc.ppid); p && p.pid > 1 && !subreapers.has(p.pid) && !seen.has(p.pid) && ofSameOwner(p); p = byPid.get(p.ppid)) {
    seen.add(p.pid);
    ancestors.push(p);
  }
  let askedAbove: boolean | undefined;
  const asked = () => (askedAbove ??= settings.asked === true || ancestors.some((p) => p.argv !== null && asksToBeKept(p.argv.join(" "))));
  const own = ownKeepMark(proc, settings, asked);
  if (own) return own;
  return ancestors.some((p) => ownKeepMark(p, settings, asked) !== null) ? "under-kept" : null;
}

/** Whether an ancestor is of the process's own owner (see keepMarkOf). */
function sameOwnerAs(proc: Markable): (ancestor: Markable) => boolean {
  if (proc.environ === null || proc.argv === null || environOverwritten(proc.argv, proc.environ)) return () => true;
  const session = sessionCookieOf(proc.environ)?.session;
  const entry = environVar(proc.environ, COOKIE) || undefined;
  if (session === undefined && entry === undefined) return (ancestor) => proc.pgrp === undefined || ancestor.pgrp === undefined || ancestor.pgrp === proc.pgrp;
  // Entries nest: a process of any entry above one carrying a SUPERVISE_ID is of an entry that
  // holds it (`supervise run` inside another), within its session when it has one: a second
  // agent run in a pane of a tmux an entry started carries that entry's id too.
  return (ancestor) => {
    const ancestorSession = sessionCookieOf(ancestor.environ)?.session;
    if (session !== undefined) return ancestorSession === session;
    return entry !== undefined && Boolean(environVar(ancestor.environ, COOKIE));
  };
}
