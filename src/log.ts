// The log: <state>/supervise.log, one JSON object per line in pino's shape (level, time,
// pid, hostname, fields, msg), so pino-pretty and `jq` read it. This module owns that
// shape: a small synchronous writer for the paths users wait on (the wrapper, the hooks),
// and pino itself, given the same levels and base fields, where its import costs nobody
// anything (a sweep that ended something, SessionEnd's detached follow-up). When the file
// passes MAX_LOG_BYTES at open it is rotated to supervise.log.1 (one generation).

import { appendFileSync, readFileSync, renameSync, statSync } from "node:fs";
import { under } from "./state-dir.ts";

export const MAX_LOG_BYTES = 5 * 1024 * 1024;

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type Level = keyof typeof LEVELS;

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(fields: LogFields, msg: string): void;
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

export function logPath(stateDir: string): string {
  return under(stateDir, "supervise.log");
}

/** The fields every line starts with after level and time, as pino's `base`. */
function baseFields(): { pid: number; hostname: string } {
  return { pid: process.pid, hostname: hostName() };
}

/** One line of the log, as pino writes it. */
export function logLine(level: Level, fields: LogFields, msg: string, base = baseFields()): string {
  return JSON.stringify({ level: LEVELS[level], time: Date.now(), ...base, ...fields, msg });
}

export function openLog(stateDir: string, maxBytes = MAX_LOG_BYTES): Logger {
  const path = logPath(stateDir);
  rotateIfLarge(path, maxBytes);
  const base = baseFields();
  const write = (level: Level) => (fields: LogFields, msg: string) => {
    const line = logLine(level, fields, msg, base);
    try {
      appendFileSync(path, `${line}\n`, { mode: 0o600 });
    } catch {
      // The log is a convenience: a full disk or a read-only state dir must not stop supervision.
    }
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** The kernel's hostname, as os.hostname() gives it, without importing node:os on the hot path. */
function hostName(): string {
  try {
    return readFileSync("/proc/sys/kernel/hostname", "utf8").trim();
  } catch {
    return (require("node:os") as typeof import("node:os")).hostname();
  }
}

export function rotateIfLarge(path: string, maxBytes: number): void {
  try {
    if (statSync(path).size > maxBytes) renameSync(path, `${path}.1`);
  } catch {
    // Missing file: nothing to rotate.
  }
}

/** The same file through pino itself (sync destination, appended, 0600), for callers off the hot paths. */
export async function openPinoLog(stateDir: string, maxBytes = MAX_LOG_BYTES): Promise<Logger> {
  const { default: pino } = await import("pino");
  const path = logPath(stateDir);
  rotateIfLarge(path, maxBytes);
  const options = { level: "debug", base: baseFields(), customLevels: LEVELS, useOnlyCustomLevels: true };
  const logger = pino(options, pino.destination({ dest: path, sync: true, append: true, mode: 0o600 }));
  const write = (level: Level) => (fields: LogFields, msg: string) => logger[level](fields, msg);
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
