// Ctrl-Z: the terminal's SIGTSTP (or TTIN, TTOU) reaches only the wrapper, whose command runs
// in a session of its own: the wrapper stops the command's group, then itself; SIGCONT (`fg`)
// continues both. The command starts with these signals at their default.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startSupervised } from "../helpers/ledger.ts";
import { makeSandbox, readStatFields, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const state = (pid: number) => readStatFields(pid)?.[0] ?? null;

describe("job control", () => {
  for (const signal of ["SIGTSTP", "SIGTTIN", "SIGTTOU"] as const) {
    test(`${signal} stops the command's group and then the wrapper; SIGCONT continues both; the run then ends as ever`, async () => {
      sb = makeSandbox();
      const { run, pid } = await startSupervised(sb, [], "sleep 1000 & exec sleep 1001");
      const wrapper = run.proc.pid;
      run.proc.kill(signal);
      await waitFor(() => state(wrapper) === "T" && state(pid) === "T", 5_000, "the wrapper and its command to stop");
      run.proc.kill("SIGCONT");
      await waitFor(() => state(wrapper) !== "T" && state(pid) !== "T", 5_000, "both to run again");
      run.proc.kill("SIGTERM");
      expect(await run.proc.exited).toBe(143);
      expect(state(pid)).toBeNull();
    });
  }
});
