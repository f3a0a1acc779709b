// A process is ours only when boot id, pid and start time all match what was recorded.
// pid_max is 32768 on many machines, so a bare pid is reused within minutes.

import { bootId, UNKNOWN_BOOT } from "./boot.ts";
import { isGone, type ProcStat, type StatReader } from "./stat.ts";
import { readNow } from "./facts.ts";

export interface ProcessIdentity {
  bootId: string;
  pid: number;
  startTicks: number;
}

/** A process within this boot, as a map key: its pid and start time. */
export function processKey(proc: Pick<ProcStat, "pid" | "startTicks">): string {
  return `${proc.pid}:${proc.startTicks}`;
}

export function identityOf(stat: ProcStat): ProcessIdentity {
  return { bootId: bootId(), pid: stat.pid, startTicks: stat.startTicks };
}

/** The same boot: the recorded id equals the current one, and the current one was readable. */
export function sameBoot(recorded: string, current: string = bootId()): boolean {
  return current !== UNKNOWN_BOOT && current !== "" && recorded === current;
}

/** Whether stat shows the process that started at `startTicks`, still live (not a zombie); the boot is the caller's to know. */
export function isLiveSince(startTicks: number, stat: ProcStat | null | undefined): stat is ProcStat {
  return stat != null && !isGone(stat) && stat.startTicks === startTicks;
}

/** Whether stat shows the recorded process, still live (not a zombie), in this boot (`current`: the boot id read now). */
export function isSameLive(identity: ProcessIdentity, stat: ProcStat | null | undefined, current: string = bootId()): stat is ProcStat {
  return sameBoot(identity.bootId, current) && isLiveSince(identity.startTicks, stat);
}

/** Re-read the process now; its stat only if it is still the recorded, live (non-zombie) process. */
export function currentIfSame(identity: ProcessIdentity, read: StatReader = readNow.stat): ProcStat | null {
  if (!sameBoot(identity.bootId)) return null;
  const stat = read(identity.pid);
  return isSameLive(identity, stat) ? stat : null;
}

/** This process's identity; null when its own stat cannot be read. */
export function selfIdentity(read: StatReader = readNow.stat): ProcessIdentity | null {
  const stat = read(process.pid);
  return stat ? identityOf(stat) : null;
}
