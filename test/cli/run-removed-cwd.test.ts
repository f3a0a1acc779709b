// `supervise run` in a working directory that was removed: the command runs there (it
// inherits the directory, as under GNU timeout), and the entry records where that was.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

describe("run in a removed working directory", () => {
  test("runs the command, in that directory, and records its path", async () => {
    sb = makeSandbox();
    const gone = join(sb.dir, "gone");
    const proc = Bun.spawn(
      ["bash", "-c", 'mkdir "$1" && cd "$1" && rmdir "$1" && exec "$2" "$3" run -- sh -c "echo ran; readlink /proc/self/cwd; exit 3"', "-", gone, BUN, CLI],
      { env: sb.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    sb.track(proc.pid);
    const [stdout, stderr, code] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    expect({ stdout, code }).toEqual({ stdout: `ran\n${gone} (deleted)\n`, code: 3 });
    expect(stderr).not.toContain("supervise:");
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitCode: 3, cwd: gone });
  });
});
