// Keep marks as pure functions: each mark, the walk up to a kept ancestor, and environments
// that cannot be read as one (a process that rewrote its title over them).

import { describe, expect, test } from "bun:test";
import { isWellFormedEnviron, keepMarkOf, ownKeepMark, type Markable } from "../../src/policy/keep.ts";

const SETTINGS = { protect: ["pytest", "docker compose"], sessionKeep: ["tmux"] };
const p = (over: Partial<Markable> & { pid: number }): Markable => ({ ppid: 1, comm: "node", argv: ["node", "x"], environ: "HOME=/h", ...over });

describe("isWellFormedEnviron", () => {
  const cases: Array<[string, string, boolean]> = [
    ["empty (env -i)", "", true],
    ["NAME=VALUE words", "A=1\0B=2\0", true],
    ["an empty value", "A=\0", true],
    ["NULs only", "\0\0\0", true],
    ["a title written over it (perl $0)", "xx\0                    \0", false],
    ["a word with no '='", "A=1\0garbage\0", false],
    ["a word starting with '='", "=x\0", false],
    ["the last word unterminated", "A=1\0B", false],
  ];
  for (const [name, environ, want] of cases) test(name, () => expect(isWellFormedEnviron(environ)).toBe(want));
});

describe("ownKeepMark and keepMarkOf", () => {
  const cases: Array<[string, Markable, string | null]> = [
    ["nothing", p({ pid: 10 }), null],
    ["SUPERVISE_KEEP=1", p({ pid: 10, environ: "SUPERVISE_KEEP=1" }), "keep-var"],
    ["SUPERVISE_KEEP=0 is no mark", p({ pid: 10, environ: "SUPERVISE_KEEP=0" }), null],
    ["a sessionKeep name by argv[0]", p({ pid: 10, comm: "tmux: server", argv: ["tmux", "new"] }), "session-keep"],
    ["a protect pattern", p({ pid: 10, argv: ["python", "-m", "pytest"] }), "protect"],
    ["a command line unreadable", p({ pid: 10, argv: null }), "unreadable"],
    ["an environment unreadable", p({ pid: 10, environ: null }), "unreadable"],
    ["an environment overwritten by a title", p({ pid: 10, environ: "myapp: worker xx\0" }), "unreadable"],
  ];
  for (const [name, proc, want] of cases) test(name, () => expect(ownKeepMark(proc, SETTINGS)).toBe(want as never));

  test("below a kept process, up to the first process the table does not know", () => {
    const tmux = p({ pid: 20, comm: "tmux: server", argv: ["tmux"] });
    const shell = p({ pid: 21, ppid: 20, comm: "bash", argv: ["bash"] });
    const child = p({ pid: 22, ppid: 21 });
    const table = new Map([tmux, shell, child].map((x) => [x.pid, x]));
    expect(keepMarkOf(child, SETTINGS, table)).toBe("under-kept");
    expect(keepMarkOf(child, SETTINGS, new Map([[22, child]]))).toBeNull();
    // A cycle in a hostile table ends the walk.
    const loop = new Map([[30, p({ pid: 30, ppid: 31 })], [31, p({ pid: 31, ppid: 30 })]]);
    expect(keepMarkOf(loop.get(30)!, SETTINGS, loop)).toBeNull();
  });
});
