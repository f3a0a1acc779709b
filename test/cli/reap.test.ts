// `supervise reap` outside a namespace: --dry-run only (it sends nothing), for the history,
// the exit status and the flags.

import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

describe("supervise reap --dry-run", () => {
  test("every run is recorded; only the newest reap.historySize are kept", async () => {
    sb = makeSandbox({ reap: { historySize: 2 } });
    for (let i = 0; i < 3; i++) {
      const r = await runCli(sb, ["reap", "--dry-run", "--json", "--session", `s${i}`]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: true, errors: [], counts: { terminated: 0, killed: 0, gone: 0, failed: 0 } });
    }
    const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
    db.run("PRAGMA busy_timeout = 5000");
    try {
      expect(db.query("SELECT trigger, session, dry_run FROM reap_runs ORDER BY id").all()).toEqual([
        { trigger: "manual", session: "s1", dry_run: 1 },
        { trigger: "manual", session: "s2", dry_run: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  test("a failure inside the sweep: reported, exit 0 with gracefulDegradation, 1 without", async () => {
    sb = makeSandbox();
    writeFileSync(join(sb.dir, "file"), "");
    const env = { SUPERVISE_HOME: join(sb.dir, "file", "state") };
    const graceful = await runCli(sb, ["reap", "--dry-run", "--json"], { env });
    expect(graceful.exitCode).toBe(0);
    expect(JSON.parse(graceful.stdout).errors).toEqual([expect.stringMatching(/^ledger: /)]);
    expect(graceful.stderr).toMatch(/^supervise: reap: ledger: .*\n$/);

    writeFileSync(join(sb.dir, "strict.json"), JSON.stringify({ reap: { gracefulDegradation: false } }));
    const strict = await runCli(sb, ["reap", "--dry-run", "--config", join(sb.dir, "strict.json")], { env });
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toMatch(/^dry run: \d+ targets? would be ended .*\nerror: ledger: /);
  });

  test("bad flags and a bad config exit 2 and sweep nothing", async () => {
    sb = makeSandbox({ reap: { thresholds: { rg: "soon" } } });
    expect(await runCli(sb, ["reap", "--dry-run"])).toMatchObject({ exitCode: 2, stdout: "", stderr: expect.stringMatching(/^supervise: config .*reap\.thresholds\.rg/) });
    expect(await runCli(sb, ["reap", "now"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: unexpected argument 'now'\n" });
  });
  test("a removed working directory: the dry run runs, with no stack trace", async () => {
    sb = makeSandbox();
    const script = `mkdir d && cd d && rmdir ../d && exec "$BUN" "$CLI" reap --dry-run`;
    const proc = Bun.spawn(["bash", "-c", script], { cwd: sb.dir, env: { ...sb.env, BUN, CLI }, stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    const [stdout, stderr, exitCode] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    expect({ stderr, exitCode }).toEqual({ stderr: "", exitCode: 0 });
    expect(stdout).toMatch(/^dry run: \d+ targets? would be ended \(\d+ processes scanned in \d+ ms\)\n/);
  });
});
