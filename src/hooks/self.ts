// How supervise calls itself from a hook's output: absolute paths to the Bun executable and
// to this CLI, so nothing depends on PATH.

import { join } from "node:path";

export function selfCommand(): { bun: string; cli: string } {
  return { bun: process.execPath, cli: join(import.meta.dir, "..", "cli.ts") };
}
