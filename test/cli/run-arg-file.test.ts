// `run --arg-file FILE`: the command's last argument is FILE's bytes. A file in the state dir's
// commands/ (the hooks' own) is removed once read, any other is left; only a regular file is
// read, so a FIFO cannot hang the wrapper; what cannot be read is refused (125) before the launch.

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const bytesOf = async (args: string[]) => {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, "..", "..", "src", "cli.ts"), ...args], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  sb.track(proc.pid);
  const [out, stderr, exitCode] = await Promise.all([new Response(proc.stdout).arrayBuffer(), proc.stderr.text(), proc.exited]);
  return { hex: Buffer.from(out).toString("hex"), stderr, exitCode };
};

describe("run --arg-file", () => {
  test("the file's bytes are the last argument, unchanged (a BOM, bytes that are not UTF-8, newlines, quotes); a file elsewhere is left", async () => {
    sb = makeSandbox();
    const file = join(sb.dir, "arg");
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0xfe, 0x0a, 0x27, 0x22, 0x5c, 0x0a, 0x0a]);
    writeFileSync(file, bytes);
    const r = await bytesOf(["run", "--arg-file", file, "--", "printf", "%s"]);
    expect(r).toEqual({ hex: bytes.toString("hex"), stderr: "", exitCode: 0 });
    expect(existsSync(file)).toBe(true);
  });

  test("the hooks' file is removed once read, and the entry records the command with its text", async () => {
    sb = makeSandbox();
    mkdirSync(join(sb.home, "commands"), { recursive: true });
    const file = join(sb.home, "commands", "c.sh");
    writeFileSync(file, "echo from the file; exit 3", { mode: 0o600 });
    const r = await runCli(sb, ["run", "--arg-file", file, "--", "bash", "-c"]);
    expect(r).toEqual({ stdout: "from the file\n", stderr: "", exitCode: 3 });
    expect(existsSync(file)).toBe(false);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ command: ["bash", "-c", "echo from the file; exit 3"], exitStatus: 3 });
  });

  const refused: Array<[label: string, make: (dir: string) => string, message: RegExp]> = [
    ["missing", (dir) => join(dir, "none"), /^supervise: cannot read --arg-file .*\/none: ENOENT\n$/],
    ["a directory", (dir) => dir, /^supervise: --arg-file .*: not a regular file\n$/],
    [
      "a FIFO (no reader would hang the wrapper)",
      (dir) => {
        const path = join(dir, "fifo");
        Bun.spawnSync(["mkfifo", path]);
        return path;
      },
      /^supervise: --arg-file .*\/fifo: not a regular file\n$/,
    ],
  ];
  test.each(refused)("refused before the launch (125, one line, no entry): %s", async (_label, make, message) => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--arg-file", make(sb.dir), "--", "sh", "-c"]);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(message);
    expect(await lsAll(sb)).toEqual([]);
  });
});
