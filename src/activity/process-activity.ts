// The contract's activity fields for one `ps` row. A process of a running entry carries its
// entry's judgement (its wrapper watches the whole tree over time); any other process gets
// what one look can tell: `serving` when it listens, else `unknown`, never a stall guessed from
// a single sample. CPU is over the process's lifetime, ports and output its own.

import type { EntryRow } from "../ledger/entries.ts";
import { describeActivity, parseActivity, type EntryActivity } from "./record.ts";
import { writtenAt } from "./facts.ts";
import type { ActivityState } from "./state.ts";
import { formatDuration } from "../time/duration.ts";

export interface ProcessActivity {
  activity: ActivityState | "unknown";
  activitySince: string | null;
  cpuPercent: number;
  ports: number[];
  lastOutputAt: string | null;
}

/** `entry`: the running entry the process belongs to, if any; `ports`: its listening ports (portsOfEach). */
export function processActivity(p: { pid: number; cpuSeconds: number; ageSeconds: number }, entry: Pick<EntryRow, "activity" | "ended_at"> | null, ports: number[]): ProcessActivity {
  // Its stdout file's time, as documented: the judge's both-streams rule (outputTime) is for saying "no output".
  const outputAt = writtenAt(p.pid, 1);
  const judged: EntryActivity | null = entry && entry.ended_at === null ? parseActivity(entry.activity) : null;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    activity: judged?.state ?? (ports.length ? "serving" : "unknown"),
    activitySince: judged ? iso(judged.since) : null,
    cpuPercent: p.ageSeconds > 0 ? Math.round((p.cpuSeconds / p.ageSeconds) * 1000) / 10 : 0,
    ports,
    lastOutputAt: outputAt ? iso(outputAt) : null,
  };
}

/** In a person's words, for `ps` and `top`: its entry's judgement ("stalled 12m"), the ports it serves, or "-". */
export function describeProcessActivity(p: Pick<ProcessActivity, "activity" | "activitySince" | "ports">, now: number): string {
  // The row's cpuPercent is over the process's life, not the judgement's window: not said beside "busy".
  return describeActivity({ ...p, cpuPercent: null }, now, formatDuration) ?? "-";
}
