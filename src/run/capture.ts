// `run --capture`: the command's output copied to its file as it passes through.

import { ensureStateDir } from "../state-dir.ts";
import type { TerminateOutcome } from "../stop/engine.ts";
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

/** Once everything of the command is gone its pipes close and the copy drains; with something alive they may never close. */
export async function drainCapture(pumping: Promise<void> | undefined, outcome: TerminateOutcome, keepOrphaned: boolean): Promise<void> {
  if (!pumping) return;
  await (outcome === "failed" || keepOrphaned ? Promise.race([pumping, Bun.sleep(1_000)]) : pumping);
}

