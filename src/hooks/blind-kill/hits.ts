// What a blind kill would hit, measured now: pgrep with pkill's own selection (the same
// procps matching pkill uses), the sockets on a port from /proc, and the hook's own ancestors
// (the agent CLI itself, which `pkill -f node` ends too).

import { findPortHolders } from "../../ports/holders.ts";
import type { Target } from "./parse.ts";
import { readNow } from "../../proc/facts.ts";

export interface Measured {
  pids: number[];
  /** Sockets on a port that no readable process holds: another user's, by uid. */
  unseenUids: number[];
  /** Targets that cannot be measured, said as what they select. */
  unknown: string[];
}

/** A pgrep that answers slower than this is not waited for: the call is judged unmeasured. */
const PGREP_TIMEOUT_MS = 1000;
/** The hook's budget holds for a command of thousands of kills: past this many, the rest are unknown. */
const MEASURED_MAX = 16;

export function measure(targets: readonly Target[], exclude: ReadonlySet<number>): Measured {
  const pids = new Set<number>();
  const unseenUids = new Set<number>();
  const unknown = new Set<string>();
  const distinct = [...new Map(targets.map((target) => [JSON.stringify(target), target])).values()];
  const measurable = distinct.filter((target) => target.kind !== "unknown");
  if (measurable.length > MEASURED_MAX) unknown.add(`what ${measurable.length - MEASURED_MAX} more of its kills select (more than ${MEASURED_MAX} in one command)`);
  const kept = new Set(measurable.slice(0, MEASURED_MAX));
  for (const target of distinct) {
    if (target.kind === "unknown") unknown.add(target.what);
    else if (!kept.has(target)) continue;
    else if (target.kind === "port") {
      const found = findPortHolders(target.port, undefined, target.scope);
      for (const pid of found.pids) pids.add(pid);
      for (const socket of found.unseen) unseenUids.add(socket.uid);
    } else {
      const matched = pgrep(target.args);
      if (matched === null) unknown.add(`what pgrep ${target.args.join(" ")} matches`);
      else for (const pid of matched) pids.add(pid);
    }
  }
  return { pids: [...pids].filter((pid) => !exclude.has(pid)).sort((a, b) => a - b), unseenUids: [...unseenUids], unknown: [...unknown] };
}

/** The pids pgrep selects with these arguments; [] when it matches none or refuses them (pkill would too); null when it cannot run. */
function pgrep(args: readonly string[]): number[] | null {
  if (Bun.which("pgrep") === null) return null;
  try {
    const run = Bun.spawnSync(["pgrep", ...args], { stdin: "ignore", stdout: "pipe", stderr: "ignore", timeout: PGREP_TIMEOUT_MS });
    if (run.exitCode === null) return null;
    if (run.exitCode !== 0) return [];
    return run.stdout.toString().split("\n").filter((line) => /^[0-9]+$/.test(line)).map(Number);
  } catch {
    return null;
  }
}

/**
 * The hook's ancestors that outlive its answer: the agent CLI and what runs it. A shell that
 * only started this hook (its command line names the hook) ends with it.
 */
export function lastingAncestors(self = process.pid): number[] {
  const out: number[] = [];
  for (let pid = readNow.stat(self)?.ppid ?? 0, hops = 0; pid > 1 && hops < 64; pid = readNow.stat(pid)?.ppid ?? 0, hops++) {
    const argv = readNow.cmdline(pid)?.join(" ") ?? "";
    if (!(/\bhook\b/.test(argv) && /supervise|cli\.ts/.test(argv))) out.push(pid);
  }
  return out;
}
