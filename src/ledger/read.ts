// Opening the ledger to read: a missing ledger is an empty one, and reading never creates state.

import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { ledgerPath, openLedger } from "./open.ts";

/** Runs `use` on the open ledger, or returns `empty` when there is none yet. */
export function withLedger<T>(stateDir: string, empty: T, use: (db: Database) => T): T {
  if (!existsSync(ledgerPath(stateDir))) return empty;
  const { db } = openLedger(stateDir);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** withLedger for work that awaits: the ledger stays open until it settles. */
export async function withLedgerAsync<T>(stateDir: string, empty: T, use: (db: Database) => Promise<T>): Promise<T> {
  if (!existsSync(ledgerPath(stateDir))) return empty;
  const { db } = openLedger(stateDir);
  try {
    return await use(db);
  } finally {
    db.close();
  }
}
