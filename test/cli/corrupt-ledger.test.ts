// A corrupt ledger: a command that only reads names the file, exits 1 and leaves it where it
// is; only a writer (run, reap, kill, gc) moves it aside and starts afresh. Whether SQLite
// finds the damage at open (no header) or on a later statement (damaged pages).

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { corruptPages, lsAll } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const GARBAGE = "not a database ".repeat(300);

function corruptLedger(): string {
  mkdirSync(sb.home, { recursive: true, mode: 0o700 });
  const path = join(sb.home, "ledger.db");
  writeFileSync(path, GARBAGE);
  return path;
}

const movedAside = () => readdirSync(sb.home).filter((name) => name.startsWith("ledger.db.corrupt-"));

describe("a corrupt ledger", () => {
  for (const args of [["ls"], ["ls", "--all", "--json"], ["show", "abc"], ["wait", "abc"], ["stats"], ["logs", "abc"]]) {
    test(`${args.join(" ")}: one line naming the file, exit 1, the file left as it was`, async () => {
      sb = makeSandbox();
      const path = corruptLedger();
      const r = await runCli(sb, args);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`supervise: ledger ${path} is corrupt (file is not a database (SQLITE_NOTADB)); left as it is (run, reap, kill or gc move it aside)\n`);
      expect(r.exitCode).toBe(1);
      expect(readFileSync(path, "utf8")).toBe(GARBAGE);
      expect(movedAside()).toEqual([]);
    });
  }

  for (const args of [["kill", "--all"], ["gc"], ["reap", "--dry-run"], ["run", "--", "true"]]) {
    test(`${args.join(" ")} (a writer): moves it aside and goes on`, async () => {
      sb = makeSandbox();
      corruptLedger();
      const r = await runCli(sb, args);
      expect(r.exitCode).toBe(0);
      const moved = movedAside();
      expect(moved).toHaveLength(1);
      expect(readFileSync(join(sb.home, moved[0]!), "utf8")).toBe(GARBAGE);
    });
  }
});


describe("a ledger whose pages are corrupt behind an intact header", () => {
  const CORRUPT = "database disk image is malformed (SQLITE_CORRUPT)";

  for (const args of [["ls"], ["ls", "--all", "--json"], ["show", "ID"], ["wait", "ID"], ["stats"], ["logs", "ID"], ["ps", "--json"]]) {
    test(`${args.join(" ")}: one line naming the file, exit 1, no stack trace, the file left as it was`, async () => {
      sb = makeSandbox();
      const { path, ids } = corruptPages(sb.home);
      const before = readFileSync(path);
      const r = await runCli(sb, args.map((a) => (a === "ID" ? ids[3]! : a)));
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`supervise: ledger ${path} is corrupt (${CORRUPT}); left as it is (run, reap, kill or gc move it aside)\n`);
      expect(r.exitCode).toBe(1);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(movedAside()).toEqual([]);
    });
  }

  test("run: the ledger is moved aside with its -wal and -shm, one warning, the run recorded in a new one", async () => {
    sb = makeSandbox();
    const { path } = corruptPages(sb.home);
    const before = readFileSync(path);
    const r = await runCli(sb, ["run", "-n", "after", "--", "echo", "ran"]);
    expect(r).toMatchObject({ exitCode: 0, stdout: "ran\n" });
    expect(r.stderr).toMatch(/^supervise: warning: the ledger was corrupt; moved it to .*ledger\.db\.corrupt-[^ ]* and started a new one\n$/);
    const aside = movedAside().filter((name) => !name.endsWith("-wal") && !name.endsWith("-shm"));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(sb.home, aside[0]!)).equals(before)).toBe(true);
    const entries = await lsAll(sb);
    expect(entries.map((e) => [e.name, e.state, e.exitStatus])).toEqual([["after", "exited", 0]]);
    // Once moved aside, later runs are recorded without a word.
    expect(await runCli(sb, ["run", "--", "true"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("gc: moved aside, one warning, exit 0", async () => {
    sb = makeSandbox();
    corruptPages(sb.home);
    const r = await runCli(sb, ["gc"]);
    expect(r.stderr).toMatch(/^supervise: warning: the ledger was corrupt; moved it to .*ledger\.db\.corrupt-.*\n$/);
    expect(r).toMatchObject({ exitCode: 0, stdout: "removed 0 finished entries\n" });
    expect(movedAside().filter((name) => !name.endsWith("-wal") && !name.endsWith("-shm"))).toHaveLength(1);
  });

  test("kill ID: moved aside, one warning, then no such entry (exit 2), no stack trace", async () => {
    sb = makeSandbox();
    const { ids } = corruptPages(sb.home);
    const r = await runCli(sb, ["kill", ids[0]!]);
    expect(r.stderr).toMatch(new RegExp(`^supervise: warning: the ledger was corrupt; moved it to .*ledger\\.db\\.corrupt-.*\\nsupervise: no entry '${ids[0]}'\\n$`));
    expect(r.exitCode).toBe(2);
    expect(movedAside().filter((name) => !name.endsWith("-wal") && !name.endsWith("-shm"))).toHaveLength(1);
  });

  test("reap --dry-run: the sweep still scans (the ledger is moved aside and says so)", async () => {
    sb = makeSandbox();
    corruptPages(sb.home);
    const r = await runCli(sb, ["reap", "--dry-run", "--json"]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.scanned).toBeGreaterThan(0);
    expect(report.errors).toEqual([expect.stringMatching(/^ledger: corrupt \(.*\); moved it to .*ledger\.db\.corrupt-.* and started a new one$/)]);
    expect(movedAside().filter((name) => !name.endsWith("-wal") && !name.endsWith("-shm"))).toHaveLength(1);
    expect(await lsAll(sb)).toEqual([]);
  });
});
