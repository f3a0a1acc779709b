// node:fs, loaded on first use rather than imported.
//
// Importing node:fs costs ~1.7-2.2 ms of Bun's start on the development VM, more than the
// rest of a command like `ls --json`. The hot paths (the wrapper's start, `ls`, `stats`, the
// hooks) read /proc with Bun.file instead; the code that needs a synchronous call (a sweep,
// a kill, creating files) pays for the module when it first runs.

export function nodeFs(): typeof import("node:fs") {
  return require("node:fs") as typeof import("node:fs");
}
