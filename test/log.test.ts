// The log's two writers (the hot paths' own, and pino itself) write the same line shape,
// and pino-pretty reads both.

import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prettyFactory } from "pino-pretty";
import { logPath, openLog, openPinoLog } from "../src/log.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const pretty = prettyFactory({ colorize: false, translateTime: false });

describe("the log", () => {
  test("both writers: the same keys in the same order, every level, and pino-pretty renders each line", async () => {
    dir = mkdtempSync(join(tmpdir(), "supervise-log-"));
    const own = openLog(dir);
    const viaPino = await openPinoLog(dir);
    for (const [writer, log] of [["own", own], ["pino", viaPino]] as const) {
      log.debug({ writer, n: 1 }, "debugging");
      log.info({ writer, n: 2 }, "started");
      log.warn({ writer, n: 3 }, "grace period over");
      log.error({ writer, n: 4 }, "cannot record");
    }
    const lines = readFileSync(logPath(dir), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines).toHaveLength(8);
    expect(lines.map((l) => [l.writer, l.level, l.msg])).toEqual([
      ["own", 20, "debugging"], ["own", 30, "started"], ["own", 40, "grace period over"], ["own", 50, "cannot record"],
      ["pino", 20, "debugging"], ["pino", 30, "started"], ["pino", 40, "grace period over"], ["pino", 50, "cannot record"],
    ]);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(["level", "time", "pid", "hostname", "writer", "n", "msg"]);
      expect(line).toMatchObject({ pid: process.pid, hostname: lines[0].hostname });
      const text = pretty(JSON.stringify(line));
      expect(text).toContain(`${{ 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR" }[line.level as 20]} (${process.pid}`);
      expect(text).toContain(line.msg);
      expect(text).toContain(`writer: "${line.writer}"`);
    }
  });
});
