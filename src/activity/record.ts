// The wrapper's judgement as the ledger keeps it (entries.activity, JSON) and as `ls --json`
// and `show --json` give it. Read as stored: any text may be there.

import type { ActivityState } from "./state.ts";

export interface EntryActivity {
  state: ActivityState;
  /** Since when (epoch ms) the state has held. */
  since: number;
  /** When the judgement was made. */
  at: number;
  cpuPercent: number;
  rssBytes: number;
  ports: number[];
  /** When its output last changed (epoch ms); 0 never (/dev/null); null when it cannot be seen. */
  outputAt: number | null;
}

const STATES: ReadonlySet<string> = new Set<ActivityState>(["busy", "serving", "quiet", "stalled", "waiting-input", "spinning"]);

/** The stored text as an activity, or null for anything else. */
export function parseActivity(text: string | null | undefined): EntryActivity | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const a = value as Partial<EntryActivity> | null;
  const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);
  if (!a || typeof a.state !== "string" || !STATES.has(a.state) || !finite(a.since) || !finite(a.at) || !finite(a.cpuPercent) || !finite(a.rssBytes)) return null;
  if (!Array.isArray(a.ports) || !a.ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) return null;
  if (a.outputAt !== null && !finite(a.outputAt)) return null;
  return { state: a.state, since: a.since, at: a.at, cpuPercent: a.cpuPercent, rssBytes: a.rssBytes, ports: a.ports, outputAt: a.outputAt ?? null };
}

/** As `--json` prints it: times in ISO 8601. */
export function activityJson(a: EntryActivity) {
  const iso = (ms: number) => new Date(ms).toISOString();
  return { state: a.state, since: iso(a.since), judgedAt: iso(a.at), cpuPercent: a.cpuPercent, rssBytes: a.rssBytes, ports: a.ports, lastOutputAt: a.outputAt ? iso(a.outputAt) : null };
}

/** In a person's words, for `ls` and `show`: "stalled 12m", "serving :8080", "busy 40%". */
export function describeActivity(a: ReturnType<typeof activityJson>, now: number, formatDuration: (ms: number) => string): string {
  const held = formatDuration(Math.max(0, now - Date.parse(a.since)));
  if (a.state === "serving") return `serving ${a.ports.map((port) => `:${port}`).join(",")}`;
  if (a.state === "busy") return a.cpuPercent > 0 ? `busy ${Math.round(a.cpuPercent)}%` : "busy";
  if (a.state === "quiet") return "quiet";
  return `${a.state} ${held}`;
}
