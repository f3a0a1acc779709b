// A stop's outcome in a person's words, as `kill` and `kill --port` print it.

import type { StopOutcome } from "../stop/stop-entry.ts";

export const OUTCOME_SAID: Readonly<Record<StopOutcome, string>> = {
  terminated: "terminated",
  killed: "killed (needed SIGKILL)",
  gone: "already gone",
  "already-ended": "already ended",
  failed: "FAILED: still alive",
  "other-namespace": "NOT SIGNALLED: recorded in another pid namespace",
};
