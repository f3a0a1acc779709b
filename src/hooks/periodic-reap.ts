// The safety net during long sessions: PreToolUse starts a sweep in the background at most
// once per hooks.reapInterval. Whether one is due is read from one small file,
// <state>/reap-due (the time, in ms, of the next one), so the hook's usual path opens
// neither the config nor the ledger.

import { under } from "../state-dir.ts";

/** How long a claimed (started) sweep keeps others from starting. */
const CLAIM_MS = 60_000;
/** With the interval at none, look at the config again after this long. */
const RECHECK_DISABLED_MS = 3_600_000;

export function dueFile(stateDir: string): string {
  return under(stateDir, "reap-due");
}

export async function isReapDue(stateDir: string, now = Date.now()): Promise<boolean> {
  const text = await Bun.file(dueFile(stateDir))
    .text()
    .catch(() => "");
  const due = Number(text.trim());
  return !Number.isFinite(due) || text.trim() === "" || now >= due;
}

/** Claims the sweep for this hook (so the calls that follow do not start more); true when claimed. */
export async function claimReap(stateDir: string, now = Date.now()): Promise<boolean> {
  try {
    // The rare path (once per interval) may pay for node:fs: the state dir is created 0700,
    // which Bun.write's own directory creation would not do.
    const { ensureStateDir } = await import("../state-dir.ts");
    ensureStateDir(stateDir);
    await Bun.write(dueFile(stateDir), String(now + CLAIM_MS));
    return true;
  } catch {
    // The state dir cannot exist or be written: no periodic sweep from this call.
    return false;
  }
}

/** After the sweep (or the decision not to sweep): when the next one is due. */
export async function scheduleNext(stateDir: string, intervalMs: number, now = Date.now()): Promise<void> {
  const next = Number.isFinite(intervalMs) ? now + intervalMs : now + RECHECK_DISABLED_MS;
  await Bun.write(dueFile(stateDir), String(next)).catch(() => 0);
}
