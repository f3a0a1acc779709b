// The README's Quick start, run as written in a fresh checkout (the tracked files, copied)
// inside this test's sandbox: npm's global prefix, HOME and the state dir are the sandbox's.
// What it installs is a copy: the checkout is removed before the copy is used again.

import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(180_000);
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const ROOT = join(import.meta.dir, "..", "..");

/** The sh block under "## Quick start". */
function quickStart(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error("README has no sh block under Quick start");
  return block[1]!;
}

/** A checkout as `git clone` would give it: the tracked files, as they are in the work tree. */
function freshCheckout(to: string): void {
  const listed = Bun.spawnSync(["git", "-C", ROOT, "ls-files", "-z"], { stdout: "pipe", stderr: "pipe" });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  for (const path of listed.stdout.toString().split("\0").filter(Boolean)) {
    mkdirSync(dirname(join(to, path)), { recursive: true });
    try {
      copyFileSync(join(ROOT, path), join(to, path));
    } catch (error) {
      // A tracked file deleted in the work tree is not part of this checkout.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
}

/** Ids of processes (here, as this user) whose environment carries `entry`'s cookie. */
function carriers(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "latin1").split("\0").includes(`SUPERVISE_ID=${entry}`)) found.push(Number(name));
    } catch {}
  }
  return found;
}

test("the README's Quick start in a fresh checkout: Bun and a copy of supervise installed, the deadline exits 124 with both sleeps gone, and the copy works once the checkout is removed", async () => {
  sb = makeSandbox();
  const checkout = join(sb.dir, "supervise");
  const prefix = join(sb.dir, "npm-global");
  const home = join(sb.dir, "home");
  mkdirSync(home);
  freshCheckout(checkout);
  // npm's global bin in the sandbox comes first: the Bun the Quick start installs is the one run.
  const path = `${join(prefix, "bin")}:${process.env.PATH}`;
  const env = {
    ...sb.env,
    HOME: home,
    PATH: path,
    NPM_CONFIG_PREFIX: prefix,
    // What npm already downloaded on this machine is reused; nothing outside the sandbox is installed into.
    NPM_CONFIG_CACHE: process.env.NPM_CONFIG_CACHE || join(process.env.HOME ?? "/root", ".npm"),
    NPM_CONFIG_UPDATE_NOTIFIER: "false",
    NPM_CONFIG_FUND: "false",
    NPM_CONFIG_AUDIT: "false",
  };
  const run = (script: string, cwd: string) => {
    const proc = Bun.spawnSync(["bash", "-c", script], { env, cwd, stdout: "pipe", stderr: "pipe" });
    return { exitCode: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  };
  const r = run(quickStart(), checkout);
  expect(r.stderr).not.toContain("ERR");
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain("exit 124\n");
  const listing = r.stdout.slice(r.stdout.indexOf("exit 124\n") + "exit 124\n".length).split("\n");
  expect(listing[0]).toMatch(/^ID +PID +STATE /);
  expect(listing[1]).toMatch(/ killed TERM .* sh -c sleep 60 & sleep 60$/);
  const id = listing[1]!.split(" ")[0]!;
  expect(carriers(id)).toEqual([]);

  // The copy, not the checkout: it still runs, and its hooks would name the copy.
  rmSync(checkout, { recursive: true, force: true });
  const copy = join(prefix, "lib", "node_modules", "supervise");
  const after = run(`supervise run -- echo still here && supervise install --dry-run`, sb.dir);
  expect(after.exitCode).toBe(0);
  expect(after.stdout).toStartWith("still here\n");
  expect(after.stdout).toContain(`${join(copy, "src", "cli.ts")} hook session-start`);
  expect(after.stdout).toContain(join(prefix, "lib", "node_modules", "bun"));
  // npm linked the manual page too.
  expect(readFileSync(join(prefix, "share", "man", "man1", "supervise.1"), "utf8")).toStartWith(".TH SUPERVISE 1");
  // What the copy weighs with what it runs on, against the README's figure.
  const du = Bun.spawnSync(["du", "-sk", join(prefix, "lib", "node_modules", "supervise")], { stdout: "pipe" });
  expect(Number(du.stdout.toString().split("\t")[0]) / 1024).toBeLessThan(20);
});
