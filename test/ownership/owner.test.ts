import { describe, expect, test } from "bun:test";
import { ownerState, recordedOwnerState, sessionState, type OwnerFacts, type OwnerState, type RecordedOwner } from "../../src/ownership/owner.ts";

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

describe("ownerState with the session's recorded owners (a process started before its agent, then re-executed with its cookie)", () => {
  const YOUNGER = { 900: { startTicks: 5_001, state: "S" } };
  const recorded = (over: Partial<RecordedOwner> = {}): RecordedOwner => ({ agent: "claude-code", pid: 900, startTicks: 5_001, sameNamespace: true, ...over });
  // The first row fails on the old code, which read any younger owner as a reused pid.
  const cases: Array<[string, OwnerFacts, RecordedOwner[], OwnerState]> = [
    ["the recorded owner is exactly the younger process at the pid: alive", facts(YOUNGER), [recorded()], "alive"],
    ["one of several recorded owners is it: alive", facts(YOUNGER), [recorded({ pid: 950 }), recorded()], "alive"],
    ["recorded with another start time (the recorded one is gone, the pid reused): gone", facts(YOUNGER), [recorded({ startTicks: 4_000 })], "gone"],
    ["recorded at another pid: the reuse proof stands", facts(YOUNGER), [recorded({ pid: 901 })], "gone"],
    ["recorded in another pid namespace: the reuse proof stands", facts(YOUNGER), [recorded({ sameNamespace: false })], "gone"],
    ["recorded, namespace unknown: the reuse proof stands", facts(YOUNGER), [recorded({ sameNamespace: null })], "gone"],
    ["no record: the reuse proof stands", facts(YOUNGER), [], "gone"],
    ["the recorded process is a zombie now: gone", facts({ 900: { startTicks: 5_001, state: "Z" } }), [recorded()], "gone"],
    ["no process at the pid, whatever was recorded: gone", facts({}), [recorded()], "gone"],
    ["its stat unreadable: unknown, whatever was recorded", facts({}, { unreadable: new Set([900]) }), [recorded()], "unknown"],
    ["the named process in another pid namespace: unknown, whatever was recorded", facts(YOUNGER, { sameNamespace: false }), [recorded()], "unknown"],
    ["an older live owner, recorded or not: alive", facts({ 900: { startTicks: 100, state: "S" } }), [recorded({ startTicks: 7 })], "alive"],
  ];
  for (const [name, f, owners, expected] of cases) test(name, () => expect(ownerState({ ownerPid: 900 }, NAMED, f, owners)).toBe(expected));
});

describe("sessionState (every owner a session has had)", () => {
  const of = (...states: OwnerState[]) => states.map((state) => ({ state }));
  // "one owner gone, another alive" and "gone and unknown" fail on the old code, which kept only the newest owner.
  const cases: Array<[string, { state: OwnerState }[], OwnerState]> = [
    ["one owner, alive", of("alive"), "alive"],
    ["one owner, gone", of("gone"), "gone"],
    ["the newest gone, an older one alive (a resume that exited)", of("gone", "alive"), "alive"],
    ["every owner gone", of("gone", "gone", "gone"), "gone"],
    ["gone and unknown: unknown", of("gone", "unknown"), "unknown"],
    ["alive and unknown: alive", of("unknown", "alive"), "alive"],
    ["no owner: nothing is proven", of(), "unknown"],
  ];
  for (const [name, owners, expected] of cases) test(name, () => expect(sessionState(owners)).toBe(expected));
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
