// What a sweep is asked to do, shared by the sweep and its ledger part (sweep-ledger.ts).

import type { Config } from "../config/defaults.ts";
import type { ReapTrigger } from "./history.ts";

export interface SweepOptions {
  config: Config;
  stateDir: string;
  dryRun: boolean;
  /** Only what provably belongs to this session (`reap --session`). */
  session: string | null;
  trigger: ReapTrigger;
  /** The session that asked for the sweep (the hook's session_id), for the history. */
  triggerSession: string | null;
}
