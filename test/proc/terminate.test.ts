// The stop engine against real processes: a batch shares one /proc scan per poll, a stop with
// no SIGKILL to follow waits at most 10 s, and a second request cuts an unbounded grace short.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { identityOf } from "../../src/proc/identity.ts";
import { scanProcesses, type EntryRef } from "../../src/proc/scan.ts";
import { readStat } from "../../src/proc/stat.ts";
import { terminateEntries, terminateEntry, UNESCALATED_WAIT_MS } from "../../src/proc/terminate.ts";
import { isAlive, waitFor } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
});

/** A command in its own session and group, as the wrapper starts one; its ref as the ledger would hold it. */
async function leader(script: string): Promise<EntryRef> {
  const proc = Bun.spawn(["sh", "-c", `${script}`], { stdio: ["ignore", "pipe", "ignore"], detached: true });
  started.push(proc.pid);
  const reader = proc.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const stat = readStat(proc.pid)!;
  return { id: `t${proc.pid}`, pgid: proc.pid, leader: identityOf(stat), sinceTicks: stat.startTicks };
}

describe("terminateEntries", () => {
  test("a batch shares one /proc scan per poll: five stops, not five scans a round", async () => {
    const refs = await Promise.all(Array.from({ length: 5 }, () => leader("echo ready; exec sleep 100")));
    let scans = 0;
    const outcomes = await terminateEntries(
      refs.map((ref) => ({ ref, signal: 15, graceMs: 5_000 })),
      () => (scans++, scanProcesses()),
    );
    expect(outcomes).toEqual(["terminated", "terminated", "terminated", "terminated", "terminated"]);
    // One scan to find them all, then one per poll until every one is gone.
    expect(scans).toBeGreaterThanOrEqual(2);
    expect(scans).toBeLessThan(5);
  });

  test("grace none (no SIGKILL to follow) against a TERM-ignoring command: still alive, reported after the bounded wait, never killed", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const t0 = Date.now();
    expect(await terminateEntry(ref, { signal: 15, graceMs: Number.POSITIVE_INFINITY })).toBe("failed");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(UNESCALATED_WAIT_MS);
    expect(isAlive(ref.pgid!)).toBe(true);
  });

  test("a second request (hurry) during an unbounded grace sends SIGKILL", async () => {
    const ref = await leader("trap '' TERM; echo ready; while :; do sleep 0.05; done");
    const hurry = { now: false };
    let escalated = false;
    const stopping = terminateEntry(ref, { signal: 15, graceMs: Number.POSITIVE_INFINITY, hurry, onEscalate: () => (escalated = true) });
    hurry.now = true;
    expect(await stopping).toBe("killed");
    expect(escalated).toBe(true);
    await waitFor(() => !isAlive(ref.pgid!), 5_000, "the group to be gone");
  });

  test("an empty batch and a batch of the already gone", async () => {
    expect(await terminateEntries([])).toEqual([]);
    const ref = await leader("echo ready");
    await waitFor(() => !isAlive(ref.pgid!), 5_000, "it to exit");
    expect(await terminateEntries([{ ref, signal: 15, graceMs: 100 }, { ref, signal: 15, graceMs: 100 }])).toEqual(["gone", "gone"]);
  });
});
