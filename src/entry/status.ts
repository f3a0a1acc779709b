// The exit status an ended entry stands for: what its wrapper exited with, as it recorded
// it; derived from how the command ended only where the wrapper died before recording.

import { signalNumber } from "../proc/signals.ts";
import type { EntryRow, EntryState } from "../ledger/entries.ts";

/** What `wait` exits with for a lost entry: its status was never recorded. */
export const STATUS_UNKNOWN = 1;

export function exitStatusOf(row: Pick<EntryRow, "exit_status" | "exit_code" | "end_signal" | "reason">, state: EntryState): number {
  return row.exit_status ?? derivedExitStatus(row, state);
}

/** The status a wrapper would have exited with, rebuilt from how its command ended. */
export function derivedExitStatus(row: Pick<EntryRow, "exit_code" | "end_signal" | "reason">, state: EntryState): number {
  if (state === "killed" && row.reason === "deadline") return 124;
  if (row.exit_code !== null) return row.exit_code;
  const signal = row.end_signal === null ? 0 : signalNumber(row.end_signal);
  if (signal > 0) return 128 + signal;
  return state === "exited" ? 0 : STATUS_UNKNOWN;
}
