// Which signals the command starts with ignored: those the wrapper inherited as ignored and
// does not handle itself; PIPE and XFSZ (which Bun ignores for itself) as the parent has them.

import { describe, expect, test } from "bun:test";
import { ignoredIn, inheritedIgnores } from "../../src/run/inherited-ignores.ts";
import { SIGNALS } from "../../src/proc/signals.ts";

const status = (mask: bigint, name = "bash") => `Name:\t${name}\nSigBlk:\t0000000000000000\nSigIgn:\t${mask.toString(16).padStart(16, "0")}\nSigCgt:\t0\n`;
const bit = (n: number) => 1n << BigInt(n - 1);
const HANDLED = [SIGNALS.SIGINT, SIGNALS.SIGTERM, SIGNALS.SIGHUP, SIGNALS.SIGQUIT, SIGNALS.SIGUSR1, SIGNALS.SIGUSR2, SIGNALS.SIGCHLD, SIGNALS.SIGURG];

describe("ignoredIn", () => {
  test("reads SigIgn's mask as signal numbers; nothing from a missing or hostile status", () => {
    expect([...ignoredIn(status(bit(13) | bit(14) | bit(64)))]).toEqual([13, 14, 64]);
    expect([...ignoredIn(null)]).toEqual([]);
    expect([...ignoredIn("SigIgn:\tzz\n")]).toEqual([]);
    expect([...ignoredIn("garbage")]).toEqual([]);
  });
});

describe("inheritedIgnores", () => {
  const read = (own: bigint, parent: bigint, parentName = "bash") => async (pid: number | "self") => (pid === "self" ? status(own, "supervise") : status(parent, parentName));
  const BUN = bit(13) | bit(25);

  test("what the wrapper inherited as ignored and does not handle; PIPE and XFSZ only as the parent has them", async () => {
    expect(await inheritedIgnores(HANDLED, read(BUN | bit(14) | bit(2) | bit(10), 0n))).toEqual(["ALRM"]);
    expect(await inheritedIgnores(HANDLED, read(BUN, bit(13)))).toEqual(["PIPE"]);
    expect(await inheritedIgnores(HANDLED, read(BUN, bit(13) | bit(25) | bit(15)))).toEqual(["PIPE", "XFSZ"]);
    expect(await inheritedIgnores(HANDLED, read(BUN, 0n))).toEqual([]);
  });

  test("a parent that is not a shell (bun, node, python: each ignores PIPE for itself and resets it in its children) says nothing of PIPE", async () => {
    for (const runtime of ["bun", "node", "python3", "claude"]) expect(await inheritedIgnores(HANDLED, read(BUN, bit(13) | bit(25), runtime))).toEqual([]);
    expect(await inheritedIgnores(HANDLED, read(BUN, bit(13), "dash"))).toEqual(["PIPE"]);
  });

  test("the deadline's own signal, and every handled one, start at their default; real-time signals are left out", async () => {
    expect(await inheritedIgnores([...HANDLED, SIGNALS.SIGALRM], read(BUN | bit(14), 0n))).toEqual([]);
    expect(await inheritedIgnores(HANDLED, read(BUN | bit(40), 0n))).toEqual([]);
  });

  test("unreadable status files: nothing ignored (the command starts with defaults, as Bun gives)", async () => {
    expect(await inheritedIgnores(HANDLED, async () => null)).toEqual([]);
  });
});
