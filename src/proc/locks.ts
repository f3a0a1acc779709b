// Who holds which file lock, from /proc/locks: the pid (in the reader's pid namespace) of
// every FLOCK holder, by the locked file's device and inode.

import { readProcText } from "./read.ts";

/** `MAJOR:MINOR:INODE` as /proc/locks writes it (device numbers in hex) → holder pids. */
export type FlockHolders = ReadonlyMap<string, readonly number[]>;

/** Null when /proc/locks cannot be read: nothing is known of any lock. */
export function readFlockHolders(): FlockHolders | null {
  try {
    return parseLocks(readProcText("/proc/locks"));
  } catch {
    return null;
  }
}

/** Lines like `3: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF`; waiters (`->`) hold nothing. */
export function parseLocks(text: string): Map<string, number[]> {
  const holders = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== "FLOCK") continue;
    const pid = Number(fields[4]);
    const file = fields[5];
    if (!Number.isInteger(pid) || pid <= 0 || !file || !/^[0-9a-f]+:[0-9a-f]+:\d+$/.test(file)) continue;
    holders.set(file, [...(holders.get(file) ?? []), pid]);
  }
  return holders;
}

/** A stat's st_dev and st_ino as /proc/locks keys them. */
export function lockKey(dev: number, ino: number): string {
  const major = (dev >>> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
  return `${major.toString(16).padStart(2, "0")}:${minor.toString(16).padStart(2, "0")}:${ino}`;
}
