// Signal names and numbers. Names are stored and printed without the SIG prefix ("TERM").

import { constants } from "node:os";
import { UsageError } from "../errors.ts";

const NUMBERS: Record<string, number> = constants.signals as Record<string, number>;
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
    const name = NAMES.get(number);
    return name ? { name, number } : null;
  }
  const upper = text.toUpperCase();
  const full = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  const number = Object.hasOwn(NUMBERS, full) ? NUMBERS[full] : undefined;
  if (number === undefined) return null;
  return { name: NAMES.get(number) ?? full.slice(3), number };
}

export function parseSignal(text: string, where: string, exitCode = 2): Signal {
  const signal = tryParseSignal(text);
  if (!signal) throw new UsageError(`invalid signal for ${where}: ${JSON.stringify(text)} (examples: TERM, INT, KILL, 15)`, exitCode);
  return signal;
}

export function signalName(number: number): string {
  return NAMES.get(number) ?? String(number);
}

export function signalNumber(name: string): number {
  return NUMBERS[`SIG${name}`] ?? 0;
}
