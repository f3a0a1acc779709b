// How a hook speaks: its JSON on stdout, and a problem as one stderr line. A hook never
// fails the agent, so neither ever throws.

import { writeErr, writeOut } from "../cli/output.ts";

export function note(message: string): Promise<number> {
  return writeErr(`supervise: hook: ${message}\n`);
}

/** The hook's JSON; a stdout that cannot be written is reported, never an exit status. */
export async function answer(output: unknown): Promise<void> {
  try {
    await writeOut(`${JSON.stringify(output)}\n`);
  } catch (error) {
    await note((error as Error).message);
  }
}

/** A problem, and `{}`: the agent goes on as if no hook had run. */
export async function answerUntouched(problem: string): Promise<void> {
  await note(problem);
  await answer({});
}
