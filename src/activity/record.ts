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
  /** The last line of its output, read when it became stalled, spinning or waiting for input; null otherwise or unseen. */
  lastLine?: string | null;
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
  const lastLine = typeof a.lastLine === "string" ? a.lastLine : null;
  return { state: a.state, since: a.since, at: a.at, cpuPercent: a.cpuPercent, rssBytes: a.rssBytes, ports: a.ports, outputAt: a.outputAt ?? null, lastLine };
}

/** The fields `ls --json`, `show --json` and `ps --json` rows gain (the contract's "Activity"). */
export interface ActivityFields {
  /** The state; "unknown" while it runs unjudged (its first look is one interval away); null once it ended. */
  activity: ActivityState | "unknown" | null;
  activitySince: string | null;
  activityJudgedAt: string | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  ports: number[];
  lastOutputAt: string | null;
  lastLine: string | null;
}

const NO_ACTIVITY = { activitySince: null, activityJudgedAt: null, cpuPercent: null, rssBytes: null, ports: [], lastOutputAt: null, lastLine: null } as const;

/** As `--json` prints it, times in ISO 8601; `running`: whether the entry still runs. */
export function activityFields(a: EntryActivity | null, running: boolean): ActivityFields {
  if (!running) return { activity: null, ...NO_ACTIVITY, ports: [] };
  if (a === null) return { activity: "unknown", ...NO_ACTIVITY, ports: [] };
  const iso = (ms: number) => new Date(ms).toISOString();
  return { activity: a.state, activitySince: iso(a.since), activityJudgedAt: iso(a.at), cpuPercent: a.cpuPercent, rssBytes: a.rssBytes, ports: a.ports, lastOutputAt: a.outputAt ? iso(a.outputAt) : null, lastLine: a.lastLine ?? null };
}

/** In a person's words, for `ls`, `show`, `ps` and `top`: "stalled 12m", "serving :8080", "busy 40%"; null when there is nothing to say. */
export function describeActivity(a: Pick<ActivityFields, "activity" | "activitySince" | "ports" | "cpuPercent">, now: number, formatDuration: (ms: number) => string): string | null {
  if (a.activity === null || a.activity === "unknown") return null;
  if (a.activity === "serving") return `serving ${portsText(a.ports)}`;
  if (a.activity === "busy") return a.cpuPercent ? `busy ${Math.round(a.cpuPercent)}%` : "busy";
  if (a.activity === "quiet" || a.activitySince === null) return a.activity;
  return `${a.activity} ${formatDuration(Math.max(0, now - Date.parse(a.activitySince)))}`;
}

/** ":3000,:3001", as DOING and the PORTS columns show them; "-" for none. */
export function portsText(ports: readonly number[]): string {
  return ports.length ? ports.map((port) => `:${port}`).join(",") : "-";
}
