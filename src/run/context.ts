// What one wrapper run knows of itself, shared by the wrapper and the modules it calls
// (capture, ending) without their importing the wrapper.

import type { Logger } from "../log.ts";
import type { Launch } from "./exact-launch.ts";
import type { RunRequest } from "./options.ts";
import type { Recorder } from "./recorder.ts";

export interface WrapperContext {
  id: string;
  request: RunRequest;
  /** What Bun.spawn starts: the command's words and environment as we were given them (exact-launch.ts). */
  launch: Launch;
  /** Where the command runs, for the record: it inherits our working directory, whatever its name (not UTF-8, removed). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Our parent when the process began; a different ppid later means it died. */
  parentPid: number;
  stateDir: string;
  recorder: Recorder;
  log: Logger;
  /** Prints one line to stderr, prefixed "supervise: ". */
  say: (message: string) => void;
}
