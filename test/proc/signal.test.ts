// proc/signal.ts, the one module every signal passes through: each refusal, with injected
// readers (no real process is signalled here).

import { describe, expect, test } from "bun:test";
import { identityOf } from "../../src/proc/identity.ts";
import { ownLineage, signalGroup, signalProcess, type SignalIo } from "../../src/proc/signal.ts";
import type { ProcStat } from "../../src/proc/stat.ts";

const ME = 1000;
const PF_KTHREAD = 0x00200000;

function stat(over: Partial<ProcStat> & { pid: number }): ProcStat {
  return { comm: "x", state: "S", ppid: 1, pgrp: over.pid, session: 1, ttyNr: 0, flags: 0, utimeTicks: 0, stimeTicks: 0, cutimeTicks: 0, cstimeTicks: 0, startTicks: 500, rssPages: 1, ...over };
}

/** A process table, its owners, and a record of every kill() asked for. */
function world(procs: ProcStat[], uids: Record<number, number | null> = {}) {
  const table = new Map(procs.map((p) => [p.pid, p]));
  const sent: Array<[number, number]> = [];
  const io: SignalIo = {
    stat: (pid) => table.get(pid) ?? null,
    uid: (pid) => (pid in uids ? uids[pid]! : table.has(pid) ? ME : null),
    kill: (target, signal) => {
      const pid = Math.abs(target);
      if (target > 0 && !table.has(pid)) throw Object.assign(new Error("ESRCH"), { code: "ESRCH" });
      sent.push([target, signal]);
    },
    ownUid: ME,
    procIsOurs: () => true,
  };
  return { io, sent, table };
}

const NO_LINEAGE = { pids: new Set([4000]), groups: new Set([4000]) };

describe("signalProcess refuses", () => {
  const cases: Array<[string, ProcStat, Record<number, number | null>, Partial<ProcStat> | null, string]> = [
    ["pid 1", stat({ pid: 1 }), {}, null, "refused"],
    ["pid 0", stat({ pid: 0 }), {}, null, "refused"],
    ["a kernel thread", stat({ pid: 50, flags: PF_KTHREAD }), {}, null, "refused"],
    ["another user's process", stat({ pid: 50 }), { 50: 0 }, null, "refused"],
    ["an ancestor (our lineage)", stat({ pid: 4000 }), {}, null, "refused"],
    ["an identity mismatch (pid reused: another start time)", stat({ pid: 50 }), {}, { startTicks: 501 }, "gone"],
    ["a zombie", stat({ pid: 50 }), {}, { state: "Z" }, "gone"],
    ["exited between its stat and its owner", stat({ pid: 50 }), { 50: null }, null, "gone"],
    ["ours, alive: sent", stat({ pid: 50 }), {}, null, "sent"],
  ];
  for (const [name, target, uids, now, expected] of cases) {
    test(name, () => {
      const identity = identityOf(target);
      const w = world([{ ...target, ...now }], uids);
      expect(signalProcess(identity, 15, NO_LINEAGE, w.io)).toBe(expected as never);
      expect(w.sent).toEqual(expected === "sent" ? [[target.pid, 15]] : []);
    });
  }

  test("the owner is read first and the identity last, right before kill(2)", () => {
    const target = stat({ pid: 50 });
    const w = world([target]);
    const calls: string[] = [];
    const io: SignalIo = {
      ...w.io,
      uid: (pid) => (calls.push("uid"), w.io.uid(pid)),
      stat: (pid) => (calls.push("stat"), w.io.stat(pid)),
      kill: (pid, signal) => (calls.push("kill"), w.io.kill(pid, signal)),
    };
    expect(signalProcess(identityOf(target), 15, NO_LINEAGE, io)).toBe("sent");
    expect(calls).toEqual(["uid", "stat", "kill"]);
  });

  test("a /proc of another pid namespace (a child namespace that kept its parent's): refused, nothing sent", () => {
    const target = stat({ pid: 50 });
    const w = world([target]);
    const io = { ...w.io, procIsOurs: () => false };
    expect(signalProcess(identityOf(target), 15, NO_LINEAGE, io)).toBe("refused");
    expect(signalGroup(50, [target], 15, NO_LINEAGE, io).result).toBe("refused");
    expect(w.sent).toEqual([]);
  });

  test("gone from the table entirely", () => {
    const w = world([]);
    expect(signalProcess(identityOf(stat({ pid: 50 })), 15, NO_LINEAGE, w.io)).toBe("gone");
  });
});

describe("signalGroup", () => {
  const members = [stat({ pid: 60, pgrp: 60 }), stat({ pid: 61, pgrp: 60 }), stat({ pid: 62, pgrp: 60 })];

  test("all ours: one send to the whole group", () => {
    const w = world(members);
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("sent");
    expect(w.sent).toEqual([[-60, 15]]);
  });

  test("a member that exited since the scan does not stop the group send (processes forked after the scan are reached)", () => {
    const w = world(members.slice(1));
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("sent");
    expect(w.sent).toEqual([[-60, 15]]);
  });

  test("a member whose owner vanished (exited) is gone, not refused", () => {
    const w = world(members, { 61: null });
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("sent");
    expect(w.sent).toEqual([[-60, 15]]);
  });

  test("a refused member (another user's) makes it member by member, skipping that one", () => {
    const w = world(members, { 61: 0 });
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("sent");
    expect(w.sent).toEqual([
      [60, 15],
      [62, 15],
    ]);
  });

  test("a group of which every live member is another user's: refused, nothing sent", () => {
    const w = world(members, { 60: 0, 61: 0, 62: 0 });
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("refused");
    expect(w.sent).toEqual([]);
  });

  test("a member in our lineage: member by member, never us", () => {
    const w = world(members);
    expect(signalGroup(60, members, 15, { pids: new Set([62]), groups: new Set() }, w.io).result).toBe("sent");
    expect(w.sent).toEqual([
      [60, 15],
      [61, 15],
    ]);
  });

  test("our own group, or group 0 or 1: refused outright", () => {
    const w = world(members);
    expect(signalGroup(60, members, 15, { pids: new Set(), groups: new Set([60]) }, w.io).result).toBe("refused");
    expect(signalGroup(1, members, 15, NO_LINEAGE, w.io).result).toBe("refused");
    expect(signalGroup(0, members, 15, NO_LINEAGE, w.io).result).toBe("refused");
    expect(w.sent).toEqual([]);
  });

  test("every member gone, or now in another group (their setsid, or the id reused): gone, nothing sent; the ones that left are named", () => {
    expect(signalGroup(60, members, 15, NO_LINEAGE, world([]).io)).toEqual({ result: "gone", left: [] });
    const moved = world(members.map((m) => ({ ...m, pgrp: 70 })));
    expect(signalGroup(60, members, 15, NO_LINEAGE, moved.io)).toEqual({ result: "gone", left: members.map((m) => ({ ...m, pgrp: 70 })) });
    expect(moved.sent).toEqual([]);
  });

  test("one member left since the scan (its setsid): the group send goes to the rest, and names the one it missed", () => {
    const w = world([members[0]!, { ...members[1]!, pgrp: 61, session: 61 }, members[2]!]);
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io)).toEqual({ result: "sent", left: [{ ...members[1]!, pgrp: 61, session: 61 }] });
    expect(w.sent).toEqual([[-60, 15]]);
  });

  test("a member that leaves as the send goes out (its setsid racing kill(2)) is read again after it and named too", () => {
    const w = world(members);
    const kill = w.io.kill;
    const io = { ...w.io, kill: (target: number, signal: number) => (kill(target, signal), w.table.set(62, { ...members[2]!, pgrp: 62, session: 62 })) };
    expect(signalGroup(60, members, 15, NO_LINEAGE, io)).toEqual({ result: "sent", left: [{ ...members[2]!, pgrp: 62, session: 62 }] });
    expect(w.sent).toEqual([[-60, 15]]);
  });

  test("a member whose pid was reused (another start time) is not a witness", () => {
    const w = world(members.map((m) => ({ ...m, startTicks: 999 })));
    expect(signalGroup(60, members, 15, NO_LINEAGE, w.io).result).toBe("gone");
    expect(w.sent).toEqual([]);
  });
});

describe("ownLineage", () => {
  test("walks ppid up to the top, collecting pids and groups; stops at a loop or a gap", () => {
    const table = new Map([
      [30, stat({ pid: 30, ppid: 20, pgrp: 30 })],
      [20, stat({ pid: 20, ppid: 10, pgrp: 20 })],
      [10, stat({ pid: 10, ppid: 20, pgrp: 10 })],
    ]);
    const lineage = ownLineage((pid) => table.get(pid) ?? null, 30);
    expect([...lineage.pids].sort()).toEqual([10, 20, 30]);
    expect([...lineage.groups].sort()).toEqual([10, 20, 30]);
    expect([...ownLineage(() => null, 30).pids]).toEqual([30]);
  });
});
