// The safety net during long sessions: PreToolUse starts a sweep in the background at most
// once per hooks.reapInterval. Whether one is due is read from one small file,
// <state>/reap-due (the time, in ms, of the next one), so the hook's usual path opens
// neither the config nor the ledger.

import { UsageError } from "../errors.ts";
import { ensureStateDir, stateDir, under } from "../state-dir.ts";
import { parseDuration } from "../time/duration.ts";
import { note } from "./answer.ts";
import { spawnDetachedSelf } from "./self.ts";

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
    // The state dir is created 0700, which Bun.write's own directory creation would not do.
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

/**
 * The throttled background sweep; never delays or changes the tool call's answer. It gets
 * the tool call's cwd, so it reads the same project config as the hook would.
 */
export async function startPeriodicReapIfDue(cwd: string, session: string | null): Promise<void> {
  try {
    const dir = stateDir();
    if (!(await isReapDue(dir)) || !(await claimReap(dir))) return;
    spawnDetachedSelf(["hook", "periodic-reap", cwd, ...(session ? [session] : [])]);
  } catch (error) {
    await note(`periodic reap not started: ${(error as Error).message}`);
  }
}

/** `hook periodic-reap CWD [SESSION]`, started by startPeriodicReapIfDue. */
export async function periodicReap(args: string[]): Promise<void> {
  const [cwd, session] = args;
  if (!cwd) throw new UsageError("periodic-reap needs the tool call's cwd");
  // Every tool call's hook loads this file to ask whether a sweep is due; the sweep, its
  // config and its ledger are only for the detached process that runs it.
  const [{ loadConfig }, { sweep }] = await Promise.all([import("../config/load.ts"), import("../reap/sweep.ts")]);
  const dir = stateDir();
  const { config } = await loadConfig({ stateDir: dir, cwd });
  const intervalMs = parseDuration(config.hooks.reapInterval, "hooks.reapInterval");
  if (Number.isFinite(intervalMs)) {
    await sweep({ config, stateDir: dir, dryRun: false, session: null, trigger: "pre-tool-use", triggerSession: session ?? null });
  }
  await scheduleNext(dir, intervalMs);
}
