import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyReadVerdict, environHas, readInBatch, readNow } from "../../src/proc/facts.ts";

describe("environHas", () => {
  const env = ["A=1", "SUPERVISE_ID=abc", "SUPERVISE_ID_OLD=xyz", "B=SUPERVISE_ID=zzz"].join("\0") + "\0";
  test.each([
    ["SUPERVISE_ID", "abc", true],
    ["SUPERVISE_ID", "ab", false],
    ["SUPERVISE_ID", "abcd", false],
    ["SUPERVISE_ID", "xyz", false],
    ["SUPERVISE_ID", "zzz", false],
    ["A", "1", true],
  ] as const)("%s=%s -> %p", (name, value, expected) => {
    expect(environHas(env, name, value)).toBe(expected);
  });
  test("first and last entries without a trailing NUL", () => {
    expect(environHas("SUPERVISE_ID=abc", "SUPERVISE_ID", "abc")).toBe(true);
  });
});

describe("readNow.environ and readNow.cmdline", () => {
  test("this process's own, and null for a pid that cannot exist", () => {
    expect(readNow.environ(process.pid)).toContain("PATH=");
    expect(readNow.cmdline(process.pid)).toContain("test");
    expect(readNow.environ(2 ** 22 + 1)).toBeNull();
    expect(readNow.cmdline(2 ** 22 + 1)).toBeNull();
  });
});

/** A /proc/PID/stat line (Linux 3.5+: 52 fields) with the given state, flags and env_end. */
function statLine({ comm = "sh", state = "S", flags = 0x400000, startCode = "94770964963328", envEnd = "140737488350000" }: { comm?: string; state?: string; flags?: number; startCode?: string; envEnd?: string } = {}): string {
  const after = Array.from({ length: 50 }, () => "7");
  after[0] = state;
  after[6] = String(flags);
  after[23] = startCode;
  after[48] = envEnd;
  return `4242 (${comm}) ${after.join(" ")}\n`;
}

describe("emptyReadVerdict: what an empty environ or cmdline read means, by the stat read after it", () => {
  test.each([
    ["the process is gone (no stat)", null, false, "trust"],
    ["a stat that does not parse", "garbage", false, "trust"],
    ["a zombie: no memory left to read", statLine({ state: "Z", envEnd: "0" }), false, "trust"],
    ["an exiting process (PF_EXITING)", statLine({ flags: 0x400004, envEnd: "0" }), false, "trust"],
    ["a kernel thread (PF_KTHREAD)", statLine({ flags: 0x200000, envEnd: "0" }), false, "trust"],
    ["inside its execve: env_end is 0", statLine({ envEnd: "0" }), false, "wait"],
    ["inside its execve, also on a second look", statLine({ envEnd: "0" }), true, "wait"],
    ["a comm with spaces and parens, inside its execve", statLine({ comm: ") 0 0 (x", envEnd: "0" }), false, "wait"],
    ["another user's (or not dumpable): start_code reads 1 and no layout is shown, so there is nothing to wait for", statLine({ startCode: "1", envEnd: "0" }), false, "trust"],
    ["laid out: the first empty read may have raced an exec (read again)", statLine(), false, "read-again"],
    ["laid out, and empty again: truly empty (env -i)", statLine(), true, "trust"],
    ["a kernel too old to show env_end (before 3.5): read again", statLine().split(" ").slice(0, 44).join(" "), false, "read-again"],
    ["a line too short to be a stat", "4242 (sh) S 1 1 1 0 -1 4194304 0\n", false, "trust"],
  ] as const)("%s", (_, text, readAgain, verdict) => {
    expect(emptyReadVerdict(text, readAgain)).toBe(verdict);
  });
});

describe("a process that re-execs without pause (a real sh loop)", () => {
  // dash's exec is cheap: about one read in six lands inside an execve, and used to read empty.
  test("its environment and command line never read empty or wrong, now or in a batch: read past the execve, or unknown once this second's waits are spent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervise-facts-"));
    const script = join(dir, "loop.sh");
    writeFileSync(script, `exec /bin/sh ${script}\n`);
    const loop = Bun.spawn(["/bin/sh", script], { env: { PATH: "/usr/bin:/bin", SUPERVISE_ID: "reexec" }, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    try {
      const seen = new Map<string, number>();
      const tally = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
      for (let i = 0; i < 2_000; i++) {
        const [environ, argv] = i % 2 ? [readNow.environ(loop.pid), readNow.cmdline(loop.pid)] : await Promise.all([readInBatch.environ(loop.pid), readInBatch.cmdline(loop.pid)]);
        tally(environ === null ? "unknown" : environHas(environ, "SUPERVISE_ID", "reexec") ? "environ" : `environ ${JSON.stringify(environ)}`);
        tally(argv === null ? "unknown" : argv.join(" ") === `/bin/sh ${script}` ? "argv" : `argv ${JSON.stringify(argv)}`);
      }
      // Reading nothing but this loop, back to back, spends the budget (EXEC_WAIT_BUDGET_MS a second) now and then.
      expect([...seen.keys()].filter((k) => k !== "environ" && k !== "argv" && k !== "unknown")).toEqual([]);
      expect(seen.get("environ")! + seen.get("argv")!).toBeGreaterThan(3_000);
    } finally {
      loop.kill("SIGKILL");
      await loop.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
