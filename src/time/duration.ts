// Durations as GNU timeout reads them (a bare number is seconds, an exponent allowed), plus
// ms/s/m/h/d suffixes and "none". `0` and `none` mean "no limit", returned as Infinity. As
// GNU's: a positive duration too small to count rounds up (to 1 ms here), and one too large
// for any timer (`4294967296`, `2.34e+5d`, `1.2e+4932`) is accepted as no limit in practice.

import { UsageError } from "../errors.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** ASCII digits only: `\d` would also accept other scripts' digits. */
export const DURATION_PATTERN = "^(?:none|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?:ms|s|m|h|d)?)$";
const DURATION_RE = new RegExp(DURATION_PATTERN);
const NUMBER_RE = /^((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(ms|s|m|h|d)?$/;

/** What a duration too large for any timer becomes: a limit no run reaches, that keeps Date arithmetic exact. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d;

export type DurationInput = string | number;

/** Milliseconds, Infinity for "no limit", or null when the text is not a duration. */
export function tryParseDuration(input: DurationInput): number | null {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) return null;
    return toMs(input, "s");
  }
  if (!DURATION_RE.test(input)) return null;
  if (input === "none") return Infinity;
  const match = NUMBER_RE.exec(input);
  if (!match) return null;
  // A mantissa with a digit other than 0 is positive, however far its exponent takes it below what a double holds.
  const positive = /[1-9]/.test(match[1]!.split(/[eE]/)[0]!);
  return toMs(Number(match[1]), (match[2] ?? "s") as keyof typeof UNIT_MS, positive);
}

function toMs(value: number, unit: keyof typeof UNIT_MS, positive = value > 0): number | null {
  if (!positive) return Infinity;
  const ms = value * UNIT_MS[unit];
  if (!(ms <= MAX_DURATION_MS)) return MAX_DURATION_MS;
  // Round up: a tiny positive duration must not collapse to 0, which means "no limit".
  return Math.max(1, Math.ceil(ms));
}

/** Parse or throw a usage error naming where the value came from (a flag or a config key). */
export function parseDuration(input: DurationInput, where: string): number {
  const ms = tryParseDuration(input);
  if (ms === null) {
    throw new UsageError(`invalid duration for ${where}: ${JSON.stringify(input)} (examples: 90, 500ms, 5m, 2h, 1d, none)`);
  }
  return ms;
}

/** Short human form: 850ms, 12s, 5m, 1h30m, 2d3h. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "none";
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}
