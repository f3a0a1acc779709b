// The command starts with the signals the wrapper handles at their default, and every other
// signal as the wrapper inherited it, as under GNU timeout: `(trap '' PIPE; supervise run --
// yes | :)` lets `yes` see EPIPE. Bun.spawn resets every disposition, and Bun itself ignores
// PIPE and XFSZ from its start, so for those two our parent's are read, when it is a shell: a
// shell ignores them only by `trap ''` (or by inheriting that), and its children inherit it. A
// Bun, Node or Python parent ignores PIPE for itself and resets it in what it starts.

import { signalName } from "../proc/signals.ts";

/** Signals Bun ignores for itself before any of our code runs. */
const BUN_IGNORES = [13, 25]; // SIGPIPE, SIGXFSZ
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "fish", "yash", "posh"]);

/** The signals (by name, without SIG) the command must start with ignored. */
export async function inheritedIgnores(handled: readonly number[], readStatus: (pid: number | "self") => Promise<string | null> = readProcStatus): Promise<string[]> {
  const own = ignoredIn(await readStatus("self"));
  const parentStatus = await readStatus(process.ppid);
  const parent = SHELLS.has(nameIn(parentStatus) ?? "") ? ignoredIn(parentStatus) : new Set<number>();
  const ignored = new Set([...own].filter((n) => !BUN_IGNORES.includes(n)));
  for (const n of BUN_IGNORES) if (parent.has(n)) ignored.add(n);
  for (const n of handled) ignored.delete(n);
  // Real-time signals have no name a shell's trap is sure to take.
  return [...ignored].sort((a, b) => a - b).map(signalName).filter((name) => !/^\d+$/.test(name));
}

/** The SigIgn mask of a status file, as signal numbers. */
export function ignoredIn(status: string | null): Set<number> {
  const hex = status === null ? null : /^SigIgn:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const out = new Set<number>();
  if (!hex) return out;
  const mask = BigInt(`0x${hex}`);
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) out.add(n);
  return out;
}

function nameIn(status: string | null): string | null {
  return status === null ? null : (/^Name:\t(.*)$/m.exec(status)?.[1] ?? null);
}

async function readProcStatus(pid: number | "self"): Promise<string | null> {
  try {
    return await Bun.file(`/proc/${pid}/status`).text();
  } catch {
    return null;
  }
}
