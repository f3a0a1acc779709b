// node:fs, loaded on first use rather than imported.
//
// node:fs is the heaviest module the CLI would load at start. The hot paths (`ls`, `stats`,
// the hooks' usual answer) read /proc with Bun.file instead; code that needs a synchronous
// call (a sweep, a kill, creating files) loads it when it first runs.

export function nodeFs(): typeof import("node:fs") {
  return require("node:fs") as typeof import("node:fs");
}
