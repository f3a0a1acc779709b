// Noticing that the wrapper's parent died (we are then reparented, so getppid() changes).
// The kernel tells us (PR_SET_PDEATHSIG); polling is only the fallback where that call fails.

import { setParentDeathSignal } from "../proc/libc.ts";
import { SIGNALS } from "../proc/signals.ts";

/** Where the kernel cannot tell us, how often the fallback looks. */
export const PARENT_POLL_MS = 100;

/** Default action "ignore": a death signal that arrives after the handler is gone is harmless. */
const DEATH_SIGNAL = "SIGURG";

export interface ParentWatch {
  /** "signal": the kernel tells us; "poll": we ask every PARENT_POLL_MS. */
  readonly mode: "signal" | "poll";
  stop(): void;
}

/**
 * Calls `onDeath` once, when our parent is no longer `parentPid`; at once if it already is not.
 * The death signal fires when the parent *thread* that started us exits, which a live
 * multi-threaded parent can do: so getppid() is the proof, the signal only the cue.
 */
export function watchParent(parentPid: number, onDeath: () => void): ParentWatch {
  let fired = false;
  const check = () => {
    if (fired || process.ppid === parentPid) return;
    fired = true;
    stop();
    onDeath();
  };
  process.on(DEATH_SIGNAL, check);
  const byKernel = setParentDeathSignal(SIGNALS[DEATH_SIGNAL]);
  const timer = byKernel ? null : setInterval(check, PARENT_POLL_MS);
  const stop = () => {
    process.off(DEATH_SIGNAL, check);
    if (timer) clearInterval(timer);
  };
  // The parent may have died before the kernel was asked: it would never tell us then.
  check();
  return { mode: byKernel ? "signal" : "poll", stop };
}
