// Opening the ledger for a command that reads (or briefly writes) and then exits.

import type { Database } from "bun:sqlite";
import { ledgerPath, openLedgerToRead } from "./open.ts";

/**
 * The ledger, or null when there is none yet: reading never creates state. Callers do not
 * close it. The process exits right after, and close() on the last connection checkpoints
 * the WAL on the way out (measured 2-4 ms of a 12 ms `ls`); the next writer's
 * autocheckpoint does that work instead.
 */
export async function existingLedger(stateDir: string): Promise<Database | null> {
  // Bun.file, not node:fs: see open.ts.
  return (await Bun.file(ledgerPath(stateDir)).exists()) ? openLedgerToRead(stateDir) : null;
}
