// "Stop" in an agent kills only the shell: the wrapper must notice it was orphaned and end
// its command (unless --keep-orphaned).

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { linesOf } from "../helpers/cli.ts";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hasLedgerOpen, lsAll, whileLedgerLocked } from "../helpers/ledger.ts";
import { BUN, CLI, isAlive, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/**
 * bash starts the wrapper in the background; both report their pids, tagged (W, then C
 * from the command unless `expected` says only the wrapper's is awaited).
 */
async function startUnderShell(extra: string[], command = "sh -c 'echo C $$; exec sleep 100'", expected = 2) {
  const inner = `${BUN} ${CLI} run ${extra.join(" ")} -- ${command} & echo W $!; wait`;
  const shell = Bun.spawn(["bash", "-c", inner], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  sb.track(shell.pid);
  const lines = linesOf(shell);
  const pids: Record<string, number> = {};
  for (let i = 0; i < expected; i++) {
    const [tag, pid] = (await lines.nextLine()).split(" ");
    pids[tag!] = Number(pid);
    sb.track(Number(pid));
  }
  return { shell, wrapper: pids.W!, command: pids.C! };
}

describe("parent death", () => {
  test("SIGKILL to the wrapper's parent shell ends the command, reason parent-died", async () => {
    sb = makeSandbox();
    const { shell, wrapper, command } = await startUnderShell([]);
    shell.kill("SIGKILL");
    await waitFor(() => !isAlive(command), 5_000, "the command to die");
    await waitFor(() => !isAlive(wrapper), 5_000, "the wrapper to exit");
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "killed", reason: "parent-died", signal: "TERM", pid: command, wrapperPid: wrapper });
  });

  test("a parent that dies while the wrapper is still starting: the command is never launched", async () => {
    sb = makeSandbox();
    const marker = join(sb.dir, "launched");
    let wrapper = 0;
    await whileLedgerLocked(sb, async () => {
      const started = await startUnderShell([], `touch ${marker}`, 1);
      const { shell } = started;
      wrapper = started.wrapper;
      // The wrapper is in its busy wait on the ledger, before the launch; its parent dies there.
      await waitFor(() => hasLedgerOpen(wrapper), 5_000, "the wrapper to open the ledger");
      shell.kill("SIGKILL");
      await shell.exited;
    });
    await waitFor(() => !isAlive(wrapper), 10_000, "the wrapper to exit");
    expect(existsSync(marker)).toBe(false);
    const entries = await lsAll(sb);
    expect(entries.find((e) => e.wrapperPid === wrapper)).toMatchObject({ state: "killed", reason: "parent-died", pid: null });
  });

  test("--keep-orphaned leaves the command running under its wrapper", async () => {
    sb = makeSandbox();
    const { shell, wrapper, command } = await startUnderShell(["--keep-orphaned"]);
    shell.kill("SIGKILL");
    await waitFor(() => !isAlive(shell.pid), 5_000, "the shell to die");
    // The wrapper noticed (it logs it) and, as asked, did nothing to the command.
    const log = join(sb.home, "supervise.log");
    await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes('"msg":"parent died"'), 5_000, "the wrapper to notice its parent's death");
    expect(isAlive(command)).toBe(true);
    expect(isAlive(wrapper)).toBe(true);
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "running", pid: command });
  });
});
