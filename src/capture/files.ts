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

export function removeOutput(stateDir: string, id: string): void {
  rmSync(outputPath(stateDir, id), { force: true });
  rmSync(previousOutputPath(stateDir, id), { force: true });
}
