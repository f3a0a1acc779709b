// Waking up when the ledger may have changed, instead of polling it fast: every write to
// the ledger (a commit appends to ledger.db-wal) or the log shows up as an inotify event
// on the state dir. A slow timer stays as the fallback, for what writes nothing (a wrapper
// that was SIGKILLed) and for file systems without inotify.

import { watch, type FSWatcher } from "node:fs";

export interface LedgerChanges {
  /** Whether events arrive; without them callers must poll faster. */
  readonly watching: boolean;
  /** Resolves at the next change (true), or after `ms` at the latest (false). */
  next(ms: number): Promise<boolean>;
  close(): void;
}

export function ledgerChanges(stateDir: string): LedgerChanges {
  let changed = false;
  let wake: (() => void) | null = null;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(stateDir, { persistent: true }, () => {
      changed = true;
      wake?.();
    });
    watcher.on("error", () => {});
  } catch {
    watcher = null;
  }
  return {
    watching: watcher !== null,
    next(ms) {
      if (changed) {
        changed = false;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const done = (byChange: boolean) => {
          clearTimeout(timer);
          wake = null;
          changed = false;
          resolve(byChange);
        };
        const timer = setTimeout(() => done(false), ms);
        wake = () => done(true);
      });
    },
    close() {
      watcher?.close();
    },
  };
}
