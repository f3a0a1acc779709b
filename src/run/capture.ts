// `run --capture`: the command's output copied to its file as it passes through.

import { ensureStateDir } from "../state-dir.ts";
import { UNESCALATED_WAIT_MS, type TerminateOutcome } from "../stop/engine.ts";
import type { RunRequest } from "./options.ts";
import type { WrapperContext } from "./wrapper.ts";

export interface Capture {
  file: import("../capture/sink.ts").OutputFile;
  start(child: Bun.Subprocess): Promise<void>;
}

/** The output file, or null (one warning) when it cannot be created: the command still runs. */
export async function openCapture(ctx: WrapperContext, maxBytes: number): Promise<Capture | null> {
  // Loaded only with --capture: the plain wrapper keeps its start-up lean.
  const { openOutputFile, pump } = await import("../capture/sink.ts");
  let file: Capture["file"];
  try {
    ensureStateDir(ctx.stateDir);
    file = openOutputFile(ctx.stateDir, ctx.id, maxBytes);
  } catch (error) {
    ctx.say(`warning: output not captured (${(error as Error).message})`);
    return null;
  }
  return {
    file,
    start: async (child) => {
      await Promise.all([pump(child.stdout as ReadableStream<Uint8Array>, Bun.stdout, file), pump(child.stderr as ReadableStream<Uint8Array>, Bun.stderr, file)]);
      file.close();
    },
  };
}

/**
 * How long the output may take to drain once the command's stop is over: grace + 1 s. What
 * is still alive then holds the pipes for reasons of its own (kept, or beyond our reach).
 */
export function drainBoundMs(request: Pick<RunRequest, "graceMs" | "keepOrphaned" | "sessionBound">, outcome: TerminateOutcome): number {
  // Left running on purpose, or refusing to die: nothing will close the pipes soon.
  if (outcome === "failed" || request.keepOrphaned || request.sessionBound) return 1_000;
  return (Number.isFinite(request.graceMs) ? request.graceMs : UNESCALATED_WAIT_MS) + 1_000;
}

/** Once everything of the command is gone its pipes close and the copy drains; with something alive they may never close. */
export async function drainCapture(pumping: Promise<void>, boundMs: number, woken: Promise<void> = new Promise(() => {})): Promise<"drained" | "bound" | "woken"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<"bound">((resolve) => (timer = setTimeout(() => resolve("bound"), boundMs)));
  try {
    return await Promise.race([pumping.then(() => "drained" as const), bound, woken.then(() => "woken" as const)]);
  } finally {
    clearTimeout(timer);
  }
}
