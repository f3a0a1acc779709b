// Signal names and numbers. Names are stored and printed without the SIG prefix ("TERM").

import { UsageError } from "../errors.ts";

/**
 * Linux's numbers (x86-64 and arm64, the platforms Bun runs on, agree), as a table: names
 * are stored without the SIG prefix, and aliases (IOT, POLL) map to one name.
 */
export const SIGNALS = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGIOT: 6, SIGBUS: 7, SIGFPE: 8,
  SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16,
  SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24,
  SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPOLL: 29, SIGPWR: 30, SIGSYS: 31,
} as const;

const NUMBERS: Record<string, number> = SIGNALS;
const NAMES = new Map<number, string>();
for (const [name, number] of Object.entries(NUMBERS)) {
  // SIGIOT/SIGPOLL/SIGPWR aliases share numbers; keep the first, conventional name.
  if (!NAMES.has(number)) NAMES.set(number, name.slice(3));
}

export interface Signal {
  name: string;
  number: number;
}

export function tryParseSignal(text: string): Signal | null {
  if (/^[0-9]+$/.test(text)) {
    const number = Number(text);
    // Signal 0 sends nothing (kill(2)'s check); as GNU's `timeout -s0 -k1`, only the KILL after the grace ends the command.
    if (number === 0) return { name: "0", number: 0 };
    const name = NAMES.get(number);
    return name ? { name, number } : null;
  }
  const upper = text.toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const number = Object.hasOwn(NUMBERS, full) ? NUMBERS[full] : undefined;
  if (number === undefined) return null;
  return { name: NAMES.get(number) ?? full.slice(3), number };
}

export function parseSignal(text: string, where: string): Signal {
  const signal = tryParseSignal(text);
  if (!signal) throw new UsageError(`invalid signal for ${where}: ${JSON.stringify(text)} (examples: TERM, INT, KILL, 15)`);
  return signal;
}

export function signalName(number: number): string {
  return NAMES.get(number) ?? String(number);
}

export function signalNumber(name: string): number {
  return NUMBERS[`SIG${name}`] ?? 0;
}
