// This boot's id and the kernel's clock: with a pid, the start time counted in clock ticks
// since boot identifies one process.

import { readProcText } from "./read.ts";

/** What bootId() answers when the boot id cannot be read: it never matches anything (sameBoot). */
export const UNKNOWN_BOOT = "unknown";

let cachedBootId: string | undefined;

/** This boot's id, read once. */
export function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readProcText("/proc/sys/kernel/random/boot_id").trim();
    } catch {
      cachedBootId = UNKNOWN_BOOT;
    }
  }
  return cachedBootId;
}

/** USER_HZ, the unit of /proc start times: fixed at 100 by the kernel ABI on x86 and arm. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Now, in the clock ticks /proc start times are counted in. */
export function uptimeTicks(): number {
  const seconds = Number(readProcText("/proc/uptime").split(" ")[0]);
  return Math.floor(seconds * CLOCK_TICKS_PER_SECOND);
}
