// Keep marks as pure functions: each mark, the walk up to a kept ancestor, and environments
// that cannot be read as one (a process that rewrote its title over them).

import { describe, expect, test } from "bun:test";
import { asksToBeKept, environOverwritten, isWellFormedEnviron, recordedAsksToBeKept, keepMarkOf, ownKeepMark, type Markable } from "../../src/policy/keep.ts";

const SETTINGS = { protect: ["pytest", "docker compose"], sessionKeep: ["tmux"] };
const p = (over: Partial<Markable> & { pid: number }): Markable => ({ ppid: 1, comm: "node", argv: ["node", "x"], environ: "HOME=/h", ...over });

describe("isWellFormedEnviron", () => {
  const cases: Array<[string, string, boolean]> = [
    ["empty (env -i)", "", true],
    ["NAME=VALUE words", "A=1\0B=2\0", true],
    ["an empty value", "A=\0", true],
    // What setproctitle leaves: the area zeroed. An environment that is really empty reads as "".
    ["NULs only", "\0\0\0", false],
    ["a title with '=' written over it (perl $0 = 'worker --opt=1 …')", "worker --opt=1 worker --opt=1\0\0\0", false],
    ["the same title, filling the area to its end", "1 worker --opt=1\0", false],
    ["an empty word between two", "A=1\0\0B=2\0", false],
    ["a title written over it (perl $0)", "xx\0                    \0", false],
    ["a word with no '='", "A=1\0garbage\0", false],
    ["a word starting with '='", "=x\0", false],
    ["the last word unterminated", "A=1\0B", false],
  ];
  for (const [name, environ, want] of cases) test(name, () => expect(isWellFormedEnviron(environ)).toBe(want));
});

describe("environOverwritten", () => {
  const cases: Array<[string, string[], string, boolean]> = [
    ["an environment as execve left it", ["node", "server.js"], "HOME=/h\0PATH=/bin\0", false],
    ["env -i", ["sleep", "1"], "", false],
    ["not one at all", ["x"], "x long title\0", true],
    // Perl pads a title with spaces to the end of the area: "ueue=default …" reads as one NAME=VALUE word.
    ["a title whose tail reads as NAME=VALUE: the tail of the command line", ["worker queue=default queue=default    "], "ueue=default queue=default    \0", true],
    ["a command line that merely ends like the environment's first word", ["sh", "-c", "x FOO=1"], "FOO=1\0B=2\0", true],
  ];
  for (const [name, argv, environ, want] of cases) test(name, () => expect(environOverwritten(argv, environ)).toBe(want));
});

describe("ownKeepMark and keepMarkOf", () => {
  const cases: Array<[string, Markable, string | null]> = [
    ["nothing", p({ pid: 10 }), null],
    ["SUPERVISE_KEEP=1", p({ pid: 10, environ: "SUPERVISE_KEEP=1" }), "keep-var"],
    ["SUPERVISE_KEEP=0 is no mark", p({ pid: 10, environ: "SUPERVISE_KEEP=0" }), null],
    ["a sessionKeep name by argv[0]", p({ pid: 10, comm: "tmux: server", argv: ["tmux", "new"] }), "session-keep"],
    ["a protect pattern", p({ pid: 10, argv: ["python", "-m", "pytest"] }), "protect"],
    ["a command line unreadable", p({ pid: 10, argv: null }), "unreadable"],
    ["an empty command line: a process inside its execve", p({ pid: 10, argv: [], environ: "" }), "unreadable"],
    ["an environment unreadable", p({ pid: 10, environ: null }), "unreadable"],
    // nginx, postgres, setproctitle: nothing asked for a keep, so nothing is lost by reading none.
    ["an environment overwritten by a title, no keep asked for", p({ pid: 10, environ: "myapp: worker xx\0" }), null],
    ["an environment overwritten by a title that itself asks", p({ pid: 10, argv: ["SUPERVISE_KEEP=1 worker"], environ: "worker xx\0" }), "unreadable"],
    ["an environment overwritten by a title, a sessionKeep name all the same", p({ pid: 10, comm: "tmux: server", argv: ["tmux"], environ: "x x\0" }), "session-keep"],
    ["an environment overwritten by a title, a protect match all the same", p({ pid: 10, argv: ["python -m pytest worker"], environ: "x x\0" }), "protect"],
  ];
  for (const [name, proc, want] of cases) test(name, () => expect(ownKeepMark(proc, SETTINGS)).toBe(want as never));

  test("asksToBeKept: the word, also quoted; not another value or a longer name", () => {
    const cases: Array<[string, boolean]> = [
      ["SUPERVISE_KEEP=1 server", true],
      ["bash -c 'SUPERVISE_KEEP=\"1\" perl x'", true],
      ["env SUPERVISE_KEEP='1' x", true],
      ["SUPERVISE_KEEP=10 x", false],
      ["SUPERVISE_KEEP=\"1 x", false],
      ["MY_SUPERVISE_KEEP=1 x", false],
      ["SUPERVISE_KEEP=0", false],
    ];
    for (const [text, want] of cases) expect([text, asksToBeKept(text)]).toEqual([text, want]);
    // A ledger row's command is JSON, its quotes escaped: read as the words it holds.
    for (const [text, want] of cases) expect([text, recordedAsksToBeKept(JSON.stringify(["bash", "-c", text]))]).toEqual([text, want]);
  });

  test("an environment overwritten by a title, with '=' in it or zeroed, where the entry's command asked for SUPERVISE_KEEP=1: kept", () => {
    for (const environ of ["1 worker --opt=1 worker --opt=1\0\0", "\0\0\0\0"]) {
      expect(ownKeepMark(p({ pid: 10, environ }), { ...SETTINGS, asked: true })).toBe("unreadable");
      expect(ownKeepMark(p({ pid: 10, environ }), SETTINGS)).toBeNull();
    }
  });

  test("an environment overwritten by a title where the entry's command asked for SUPERVISE_KEEP=1: what it was cannot be read, so kept", () => {
    const titled = p({ pid: 10, environ: "myapp: worker xx\0" });
    expect(ownKeepMark(titled, { ...SETTINGS, asked: true })).toBe("unreadable");
    expect(keepMarkOf(titled, { ...SETTINGS, asked: true }, new Map([[10, titled]]))).toBe("unreadable");
  });

  test("an environment overwritten by a title below a shell that asked (bash -c 'SUPERVISE_KEEP=1 perl …'): kept; below one that did not: not", () => {
    const asking = p({ pid: 40, comm: "bash", argv: ["bash", "-c", "SUPERVISE_KEEP=1 perl -e '$0=x'"] });
    const plain = p({ pid: 41, comm: "bash", argv: ["bash", "-c", "perl -e '$0=x'"] });
    const under = (parent: Markable) => p({ pid: 50, ppid: parent.pid, comm: "perl", argv: ["x"], environ: "x long title\0" });
    expect(keepMarkOf(under(asking), SETTINGS, new Map([asking, under(asking)].map((x) => [x.pid, x])))).toBe("unreadable");
    expect(keepMarkOf(under(plain), SETTINGS, new Map([plain, under(plain)].map((x) => [x.pid, x])))).toBeNull();
  });

  test("below a title-rewriter that asked for nothing, a child is not kept by it", () => {
    const nginx = p({ pid: 60, comm: "nginx", argv: ["nginx: master process nginx"], environ: "ss nginx -g daemon off;\0" });
    const worker = p({ pid: 61, ppid: 60, comm: "nginx" });
    expect(keepMarkOf(worker, SETTINGS, new Map([nginx, worker].map((x) => [x.pid, x])))).toBeNull();
  });

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

  describe("only ancestors of its own owner keep it: they carry one of its cookies, or, for a process with none, share its group", () => {
    const cookie = (session: string, extra = "") => `HOME=/h\0CLAUDE_CODE_SESSION_ID=${session}\0${extra}`;
    const SID = "SUPERVISE_ID=k3x9\0";
    const rows: Array<[string, Markable[], ReturnType<typeof keepMarkOf>]> = [
      ["the user's tmux above the agent (no cookie): not the session's to keep", [p({ pid: 20, comm: "tmux: server", argv: ["tmux"] }), p({ pid: 21, ppid: 20, comm: "claude", argv: ["claude"] }), p({ pid: 22, ppid: 21, environ: cookie("s1") })], null],
      ["a tmux the agent started (it carries the session's cookie): its shells are kept", [p({ pid: 20, comm: "tmux: server", argv: ["tmux"], environ: cookie("s1") }), p({ pid: 21, ppid: 20, comm: "bash", argv: ["bash"], environ: cookie("s1") }), p({ pid: 22, ppid: 21, environ: cookie("s1") })], "under-kept"],
      ["another session's kept tmux above it: not its owner's", [p({ pid: 20, comm: "tmux: server", argv: ["tmux"], environ: cookie("s2") }), p({ pid: 22, ppid: 20, environ: cookie("s1") })], null],
      ["a nested entry below an outer entry's protected process (another SUPERVISE_ID): entries nest, it is kept", [p({ pid: 20, argv: ["pytest", "x"], environ: "HOME=/h\0SUPERVISE_ID=outer\0" }), p({ pid: 21, ppid: 20, comm: "bun", argv: ["bun", "cli.ts", "run"], environ: "HOME=/h\0SUPERVISE_ID=outer\0" }), p({ pid: 22, ppid: 21, environ: "HOME=/h\0SUPERVISE_ID=inner\0" })], "under-kept"],
      ["a second agent's session in a pane of a tmux an entry of another session started (both carry that entry's id): not its to keep", [p({ pid: 20, comm: "tmux: server", argv: ["tmux"], environ: "HOME=/h\0CLAUDE_CODE_SESSION_ID=s1\0SUPERVISE_ID=a\0" }), p({ pid: 21, ppid: 20, comm: "claude", argv: ["claude"], environ: "HOME=/h\0SUPERVISE_ID=a\0" }), p({ pid: 22, ppid: 21, environ: "HOME=/h\0CLAUDE_CODE_SESSION_ID=s2\0SUPERVISE_ID=a\0" })], null],
      ["an entry's kept process above it (the same SUPERVISE_ID)", [p({ pid: 20, argv: ["node", "x"], environ: `HOME=/h\0SUPERVISE_KEEP=1\0${SID}` }), p({ pid: 22, ppid: 20, environ: `HOME=/h\0${SID}` })], "under-kept"],
      ["an unreadable ancestor (a root sshd) above a process with a cookie: the walk stops there", [p({ pid: 20, comm: "sshd", argv: null, environ: null }), p({ pid: 22, ppid: 20, environ: cookie("s1") })], null],
      ["no cookie: a kept parent in its process group keeps it", [p({ pid: 20, pgrp: 20, environ: "HOME=/h\0SUPERVISE_KEEP=1\0" }), p({ pid: 22, ppid: 20, pgrp: 20, environ: "" })], "under-kept"],
      ["no cookie: a kept parent in another group (a session leader above it) does not", [p({ pid: 20, pgrp: 20, comm: "tmux: server", argv: ["tmux"] }), p({ pid: 22, ppid: 20, pgrp: 22, environ: "" })], null],
      ["its own environment overwritten by a title: its cookies are unknown, every ancestor counts", [p({ pid: 20, comm: "tmux: server", argv: ["tmux"] }), p({ pid: 22, ppid: 20, comm: "perl", argv: ["worker"], environ: "x long title\0" })], "under-kept"],
    ];
    test("a table of the owner's own tree (a wrapper's descendants): every ancestor in it is the owner's", () => {
      const tmux = p({ pid: 20, pgrp: 20, comm: "tmux: server", argv: ["tmux"], environ: "" });
      const shell = p({ pid: 22, ppid: 20, pgrp: 22, comm: "bash", argv: ["-bash"], environ: "" });
      const table = new Map([tmux, shell].map((x) => [x.pid, x]));
      expect([keepMarkOf(shell, SETTINGS, table), keepMarkOf(shell, SETTINGS, table, undefined, true)]).toEqual([null, "under-kept"]);
    });
    for (const [name, procs, want] of rows) {
      test(name, () => expect(keepMarkOf(procs.at(-1)!, SETTINGS, new Map(procs.map((x) => [x.pid, x])))).toBe(want));
    }
  });
});
