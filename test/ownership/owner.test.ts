import { describe, expect, test } from "bun:test";
import { ownerState, recordedOwnerState, type OwnerFacts, type RecordedOwner } from "../../src/ownership/owner.ts";

const NAMED = { startTicks: 5_000 };

function facts(table: Record<number, { startTicks: number; state: string }>, over: Partial<OwnerFacts> = {}): OwnerFacts {
  return { at: (pid) => table[pid], unreadable: new Set(), sameNamespace: true, ...over };
}

describe("ownerState", () => {
  const cases: Array<[string, number | null, OwnerFacts, string]> = [
    ["the agent alive, older than the process", 900, facts({ 900: { startTicks: 100, state: "S" } }), "alive"],
    ["started the same tick: alive", 900, facts({ 900: { startTicks: 5_000, state: "S" } }), "alive"],
    ["no process at the pid", 900, facts({}), "gone"],
    ["the pid reused by a younger process", 900, facts({ 900: { startTicks: 5_001, state: "S" } }), "gone"],
    ["a zombie", 900, facts({ 900: { startTicks: 100, state: "Z" } }), "gone"],
    ["dead (X)", 900, facts({ 900: { startTicks: 100, state: "X" } }), "gone"],
    ["stopped (T) is alive", 900, facts({ 900: { startTicks: 100, state: "T" } }), "alive"],
    ["no owner pid", null, facts({}), "unknown"],
    ["its stat unreadable", 900, facts({}, { unreadable: new Set([900]) }), "unknown"],
    ["another pid namespace", 900, facts({}, { sameNamespace: false }), "unknown"],
    ["namespace unreadable", 900, facts({}, { sameNamespace: null }), "unknown"],
  ];
  for (const [name, ownerPid, f, expected] of cases) test(name, () => expect(ownerState({ ownerPid }, NAMED, f)).toBe(expected as never));
});

describe("recordedOwnerState (the agent its SessionStart hook recorded)", () => {
  const owner = (over: Partial<RecordedOwner> = {}): RecordedOwner => ({ agent: "claude-code", pid: 900, startTicks: 100, sameNamespace: true, ...over });
  const cases: Array<[string, RecordedOwner, OwnerFacts, string]> = [
    ["the very process, alive", owner(), facts({ 900: { startTicks: 100, state: "S" } }), "alive"],
    ["no process at the pid", owner(), facts({}), "gone"],
    ["the pid now held by another process (a younger one)", owner(), facts({ 900: { startTicks: 101, state: "S" } }), "gone"],
    ["the pid held by an older process: also another one", owner(), facts({ 900: { startTicks: 99, state: "S" } }), "gone"],
    ["a zombie", owner(), facts({ 900: { startTicks: 100, state: "Z" } }), "gone"],
    ["its stat unreadable", owner(), facts({}, { unreadable: new Set([900]) }), "unknown"],
    ["recorded in another pid namespace", owner({ sameNamespace: false }), facts({}), "unknown"],
    ["the namespace unknown", owner({ sameNamespace: null }), facts({}), "unknown"],
  ];
  for (const [name, recorded, f, expected] of cases) test(name, () => expect(recordedOwnerState(recorded, f)).toBe(expected as never));
});
