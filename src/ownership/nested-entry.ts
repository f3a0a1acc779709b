// A nested `supervise run` inside an entry: its wrapper inherits the outer entry's cookie and
// may sit in its group, while the command it starts carries a cookie of its own. The wrapper
// is known by its command line, from Bun's start on (before it has a row or a command): this
// very CLI (the same file, however it was named) run by Bun, with a word other than one of
// the other commands. As a second sign, a child of it carries another SUPERVISE_ID. Taking
// either only makes supervise end less.

import { readlinkSync, realpathSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import { COOKIE } from "../proc/scan.ts";
import { environVar } from "./cookie.ts";
const OWN_CLI = join(import.meta.dir, "..", "cli.ts");
/** The commands that never run a command: `supervise ls` is no wrapper. */
const NOT_RUN = new Set(["ls", "ps", "top", "show", "kill", "wait", "logs", "stats", "gc", "config", "reap", "hook", "install", "completion", "help", "--help", "-h", "--version", "-V"]);

let ownCliReal: string | null | undefined;

/** Only a process Bun runs can be a wrapper: its comm (stat's name, 15 bytes at most) says so before any read of its command line. */
function mayBeWrapper(comm: string): boolean {
  return comm === "bun" || comm === basename(process.execPath).slice(0, 15);
}

/** Whether the process is a wrapper of this CLI (`bun …/cli.ts [run] …`); `argv` is read only for a process Bun runs. */
export function isWrapper(proc: { pid: number; comm: string }, argv: () => readonly string[] | null): boolean {
  return mayBeWrapper(proc.comm) && isWrapperCommandLine(proc.pid, argv());
}

function isWrapperCommandLine(pid: number, argv: readonly string[] | null): boolean {
  if (argv === null || argv.length < 3 || NOT_RUN.has(argv[2]!)) return false;
  if (basename(argv[0]!) !== basename(process.execPath) && basename(argv[0]!) !== "bun") return false;
  const script = argv[1]!;
  if (script !== OWN_CLI && basename(script) !== "cli.ts" && basename(script) !== "supervise") return false;
  return realScript(pid, script) === ownCli();
}

function ownCli(): string | null {
  if (ownCliReal === undefined) ownCliReal = real(OWN_CLI);
  return ownCliReal;
}

/** The script's real path, a relative one read from the process's working directory. */
function realScript(pid: number, script: string): string | null {
  if (isAbsolute(script)) return real(script);
  try {
    return real(join(readlinkSync(`/proc/${pid}/cwd`), script));
  } catch {
    return null;
  }
}

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Of `candidates` (processes of the entry `ownId`), the live wrappers of other entries: by command line, or by a child (in `all`) carrying another entry's cookie. */
export function nestedWrappers(
  candidates: Iterable<{ pid: number; comm: string; argv: () => readonly string[] | null }>,
  all: Iterable<{ pid: number; ppid: number }>,
  ownId: string,
  environOf: (pid: number) => string | null,
): Set<number> {
  const found = new Set<number>();
  const wanted = new Set<number>();
  for (const c of candidates) (isWrapper(c, c.argv) ? found : wanted).add(c.pid);
  for (const p of all) {
    if (wanted.has(p.ppid) && !found.has(p.ppid) && carriesOtherCookie(environOf(p.pid), ownId)) found.add(p.ppid);
  }
  return found;
}

/** It carries a SUPERVISE_ID that is not `ownId`'s: another entry's process. */
export function carriesOtherCookie(environ: string | null, ownId: string | null): boolean {
  const id = environVar(environ, COOKIE);
  return id !== undefined && id !== ownId;
}
