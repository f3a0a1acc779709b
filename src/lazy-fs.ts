// node:fs, loaded on first use rather than imported.
//
// The foreground PreToolUse hook, which every Bash call pays, needs none of it (it reads with
// Bun.file); node:fs is among the costlier builtins to load. Code that needs a synchronous call
// (a sweep, a kill, creating files) loads it when it first runs. test/cli/hot-path-modules.test.ts
// holds the hook to it.

export function nodeFs(): typeof import("node:fs") {
  return require("node:fs") as typeof import("node:fs");
}
