// Entries as users and scripts see them: the JSON shape of the contract.

import { activityFields, parseActivity, type ActivityFields } from "../activity/record.ts";
import type { EntryRow, EntryState } from "../ledger/entries.ts";
import { isFinished } from "./liveness.ts";
import { exitStatusOf } from "./status.ts";

export interface EntryJson extends ActivityFields {
  id: string;
  pid: number | null;
  pgid: number | null;
  wrapperPid: number;
  state: EntryState;
  exitCode: number | null;
  /** What the wrapper exited with (what `wait` returns); null while the entry runs. */
  exitStatus: number | null;
  signal: string | null;
  reason: string | null;
  command: string[];
  cwd: string;
  session: string | null;
  name: string | null;
  startedAt: string;
  endedAt: string | null;
  deadlineAt: string | null;
}

export function toJson(row: EntryRow, state: EntryState = row.state): EntryJson {
  return {
    id: row.id,
    pid: row.pid,
    pgid: row.pgid,
    wrapperPid: row.wrapper_pid,
    state,
    exitCode: row.exit_code,
    exitStatus: isFinished(state) ? exitStatusOf(row, state) : null,
    signal: row.end_signal,
    reason: row.reason,
    command: JSON.parse(row.command) as string[],
    cwd: row.cwd,
    session: row.session,
    name: row.name,
    startedAt: isoTime(row.started_at),
    endedAt: row.ended_at === null ? null : isoTime(row.ended_at),
    deadlineAt: row.deadline_at === null ? null : isoTime(row.deadline_at),
    // Only a running entry's judgement means anything now: its wrapper makes it.
    ...activityFields(state === "running" ? parseActivity(row.activity) : null, state === "running"),
  };
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
