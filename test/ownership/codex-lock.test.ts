// Codex's thread lock as a second proof: it only ever keeps a thread alive, and a read that
// fails is unknown.

import { describe, expect, test } from "bun:test";
import { threadLockOf, threadLockPath, threadLockState, type LockFacts } from "../../src/ownership/codex-lock.ts";

const THREAD = "01a2328c-5dd1-7222-8304-56d2c9aaa4e3";
const env = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\0");

function facts(files: Record<string, number | "unreadable">, held: number[] | null): LockFacts {
  return {
    identity(path) {
      const ino = files[path];
      if (ino === "unreadable") throw new Error("EACCES");
      return ino === undefined ? null : { dev: 2049, ino };
    },
    holders: () => (held === null ? null : new Map(held.map((ino) => [`k${ino}`, [4242]]))),
    key: (_dev, ino) => `k${ino}`,
  };
}

describe("threadLockPath", () => {
  test("CODEX_HOME, else HOME/.codex, from the process's own environment; none for an odd thread id", () => {
    expect(threadLockPath(env({ CODEX_HOME: "/c", HOME: "/h" }), THREAD)).toBe(`/c/thread-writer-locks/${THREAD}.lock`);
    expect(threadLockPath(env({ HOME: "/h" }), THREAD)).toBe(`/h/.codex/thread-writer-locks/${THREAD}.lock`);
    expect(threadLockPath(env({ PATH: "/bin" }), THREAD)).toBeNull();
    expect(threadLockPath(null, THREAD)).toBeNull();
    expect(threadLockPath(env({ HOME: "/h" }), "../../etc/passwd")).toBeNull();
    expect(threadLockPath(env({ HOME: "/h" }), "")).toBeNull();
  });
});

describe("threadLockState", () => {
  const path = `/h/.codex/thread-writer-locks/${THREAD}.lock`;
  const environ = env({ HOME: "/h" });
  const cases: Array<[string, LockFacts, string]> = [
    ["held by a live codex", facts({ [path]: 7 }, [7]), "held"],
    ["the file, nobody holding it (the codex died)", facts({ [path]: 7 }, [8]), "none"],
    ["no lock file (an --ephemeral session, or cleaned up)", facts({}, [7]), "none"],
    ["the file unreadable", facts({ [path]: "unreadable" }, [7]), "unknown"],
    ["/proc/locks unreadable", facts({ [path]: 7 }, null), "unknown"],
  ];
  for (const [name, f, expected] of cases) test(name, () => expect(threadLockState(environ, THREAD, f)).toBe(expected as never));

  test("no home to look in: the proof does not apply", () => {
    expect(threadLockState(env({}), THREAD, facts({}, [7]))).toBe("none");
  });

  test("threadLockOf looks at each lock file once", () => {
    let looks = 0;
    const f = facts({ [path]: 7 }, [7]);
    const counted: LockFacts = { ...f, identity: (p) => (looks++, f.identity(p)) };
    const lock = threadLockOf(counted);
    expect([lock(environ, THREAD), lock(environ, THREAD)]).toEqual(["held", "held"]);
    expect(looks).toBe(1);
  });
});
