// A corrupt ledger: a command that only reads names the file, exits 1 and leaves it where it
// is; only a writer (run, reap, kill, gc) moves it aside and starts afresh.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
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
