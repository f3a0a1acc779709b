// Entries as users name them: an id or its prefix, a unique --name, or the live pid of the
// command or its wrapper; sessions by a unique prefix (ls shows 8 characters of them). No
// match, or several, is exit 2 naming what was looked for, and nothing is done.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../helpers/cli.ts";
import { lsAll, startSupervised } from "../helpers/ledger.ts";
import { isAlive, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe("naming entries and sessions", () => {
  test("show NAME, show PID (the command's or the wrapper's), kill --session PREFIX; an ambiguous name or session and no match are exit 2", async () => {
    sb = makeSandbox();
    const web = await startSupervised(sb, ["-n", "web", "--session", "3f2a9c01-aaaa-bbbb"]);
    const api = await startSupervised(sb, ["-n", "api", "--session", "77b1d4e0-cccc-dddd"]);
    const twin1 = await startSupervised(sb, ["-n", "twin", "--session", "77b1d4e0-cccc-dddd"]);
    const twin2 = await startSupervised(sb, ["-n", "twin", "--session", "77b1d4e0-cccc-dddd"]);
    const show = async (word: string) => JSON.parse((await runCli(sb!, ["show", word, "--json"])).stdout).id as string;
    expect(await show("web")).toBe(web.id);
    expect(await show(String(api.pid))).toBe(api.id);
    expect(await show(String(api.run.proc.pid))).toBe(api.id);
    expect(await runCli(sb, ["show", "twin"])).toEqual({ exitCode: 2, stdout: "", stderr: `supervise: ambiguous name 'twin': entries ${[twin2.id, twin1.id].join(", ")} carry it; give an id\n` });
    expect(await runCli(sb, ["show", "999999999"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: no entry '999999999' (an id or its prefix, a --name, or a live pid, from supervise ls)\n" });

    expect(await runCli(sb, ["kill", "--session", "zz"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: no session 'zz' in the ledger (a session id or its prefix, from supervise ls)\n" });
    const killed = await runCli(sb, ["kill", "--session", "3f2a9c01", "--json"]);
    expect(killed.exitCode).toBe(0);
    expect(JSON.parse(killed.stdout).map((r: { id: string }) => r.id)).toEqual([web.id]);
    expect(isAlive(web.pid)).toBe(false);
    expect([api, twin1, twin2].every((e) => isAlive(e.pid))).toBe(true);
    expect((await lsAll(sb)).filter((e) => e.state === "running").map((e) => e.name).sort()).toEqual(["api", "twin", "twin"]);

    const byName = await runCli(sb, ["kill", "api", "--json"]);
    expect(JSON.parse(byName.stdout).map((r: { id: string }) => r.id)).toEqual([api.id]);
    const rest = await runCli(sb, ["kill", "--session", "77b1", "--json"]);
    expect(JSON.parse(rest.stdout).map((r: { id: string }) => r.id).sort()).toEqual([twin1.id, twin2.id].sort());
  });
});
