// Captured output on disk: <state>/output/<id>.log, rotated once to <id>.log.1 when it
// reaches half of run.captureMaxBytes, so an entry keeps at most that many bytes, the newest.

import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";

export function outputDir(stateDir: string): string {
  return join(stateDir, "output");
}

export function outputPath(stateDir: string, id: string): string {
  return join(outputDir(stateDir), `${id}.log`);
}

export function previousOutputPath(stateDir: string, id: string): string {
  return `${outputPath(stateDir, id)}.1`;
}

export function hasOutput(stateDir: string, id: string): boolean {
  return existsSync(outputPath(stateDir, id));
}

/** The log, its previous generation, and their arrival marks (marks.ts: <id>.times, <id>.times.1). */
export function removeOutput(stateDir: string, id: string): void {
  for (const name of [`${id}.log`, `${id}.log.1`, `${id}.times`, `${id}.times.1`]) rmSync(join(outputDir(stateDir), name), { force: true });
}
