// `run --capture`: the command's output copied to its file as it passes through.

import type { CommandOutput, OutputFile } from "../capture/sink.ts";
import type { Pipe } from "../capture/pipes.ts";
import { ensureStateDir } from "../state-dir.ts";
import { UNESCALATED_WAIT_MS, type TerminateOutcome } from "../stop/engine.ts";
import type { RunRequest } from "./options.ts";
import type { WrapperContext } from "./context.ts";

export interface Capture {
  file: OutputFile;
  /** The command's stdout and stderr: the write ends of our pipes, or Bun's own pipes. */
  stdio: [number | "pipe", number | "pipe"];
  /** The command has its ends (or failed to start): ours go, so that its exit closes the pipes. */
  launched(): void;
  start(child: Bun.Subprocess): Promise<void>;
  /** The command never started: everything is closed. */
  close(): void;
}

/** The output file, or null (one warning) when it cannot be created: the command still runs. */
export async function openCapture(ctx: WrapperContext, maxBytes: number): Promise<Capture | null> {
  // Loaded only with --capture: the plain wrapper keeps its start-up lean.
  const { openOutputFile, pump } = await import("../capture/sink.ts");
  const { closeFd, openPipes } = await import("../capture/pipes.ts");
  let file: OutputFile;
  try {
    ensureStateDir(ctx.stateDir);
    file = openOutputFile(ctx.stateDir, ctx.id, maxBytes);
  } catch (error) {
    ctx.say(`warning: output not captured (${(error as Error).message})`);
    return null;
  }
  // Without pipes of our own (no libc through bun:ffi), Bun's: closing one still breaks the command's writes, with ECONNRESET.
  const pipes: Array<Pipe | null> = openPipes(2) ?? [null, null];
  if (pipes[0] === null) ctx.log.warn({ id: ctx.id }, "no pipes of our own (no libc through bun:ffi): a closed reader reaches the command as ECONNRESET");
  const output = (pipe: Pipe | null, own: Bun.Subprocess["stdout"]): CommandOutput =>
    pipe ? { stream: Bun.file(pipe.read).stream(), release: () => closeFd(pipe.read) } : { stream: own as ReadableStream<Uint8Array>, release: () => {} };
  return {
    file,
    stdio: [pipes[0]?.write ?? "pipe", pipes[1]?.write ?? "pipe"],
    launched: () => {
      for (const pipe of pipes) closeFd(pipe?.write ?? null);
    },
    start: async (child) => {
      await Promise.all([pump(output(pipes[0] ?? null, child.stdout), Bun.stdout, file), pump(output(pipes[1] ?? null, child.stderr), Bun.stderr, file)]);
      file.close();
    },
    close: () => {
      for (const pipe of pipes) {
        closeFd(pipe?.read ?? null);
        closeFd(pipe?.write ?? null);
      }
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
