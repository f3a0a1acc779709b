// `supervise run` passes the command's argv, environment and working directory through as
// bytes: what the command gets wrapped is what it gets unwrapped, byte for byte (plus its
// cookie), also where they are not UTF-8. The words are made by bash ($'\xff'), since Bun's
// own spawn cannot carry such bytes; each scenario runs the same probe wrapped and unwrapped.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(30_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

interface Bytes {
  stdout: Uint8Array;
  stderr: string;
  exitCode: number;
}

/** Runs a bash script in the sandbox; `$SV` is `"$BUN" "$CLI" run --`. */
async function bash(script: string, cwd = sb.dir): Promise<Bytes> {
  const proc = Bun.spawn(["bash", "-c", script], {
    env: { ...sb.env, BUN, CLI, D: sb.dir, SV: "" },
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).arrayBuffer(), proc.stderr.text(), proc.exited]);
  return { stdout: new Uint8Array(stdout), stderr, exitCode };
}

/** The same script with `$SV` as nothing and as the wrapper. */
async function bothWays(script: (sv: string) => string, cwd?: string): Promise<{ plain: Bytes; wrapped: Bytes }> {
  const plain = await bash(script(""), cwd);
  const wrapped = await bash(script(`"$BUN" "$CLI" run --`), cwd);
  return { plain, wrapped };
}

const words = (block: Uint8Array) => Buffer.from(block).toString("latin1").split("\0").filter((w) => w !== "");
const hex = (block: Uint8Array) => Buffer.from(block).toString("hex");

/** Hostile arguments, as bash spells them: bytes that are not UTF-8, a BOM, a cut sequence, printf's own characters, option-like words, newlines. */
const HOSTILE_ARGS = String.raw`$'\xff\xfe' $'f\xff.txt' $'\xef\xbb\xbfbom' $'\xe2\x82' $'\xed\xa0\x80' $'\xc0\xaf' 'é 日本' '\' '%s %d %%' '-n' '--' $'a\nb\n' '' '\0101' $'\t'`;

describe("run passes bytes through unchanged", () => {
  test("argv: every word reaches the command as the caller wrote it (ff fe stays ff fe), the command's pid is the entry's", async () => {
    sb = makeSandbox();
    const { plain, wrapped } = await bothWays((sv) => `${sv} sh -c 'cat /proc/$$/cmdline; echo $$ >&2' probe ${HOSTILE_ARGS}`);
    expect(plain.exitCode).toBe(0);
    expect(words(plain.stdout).slice(4, 6)).toEqual(["\xff\xfe", "f\xff.txt"]);
    expect({ exitCode: wrapped.exitCode, cmdline: hex(wrapped.stdout) }).toEqual({ exitCode: 0, cmdline: hex(plain.stdout) });
    const [entry] = await lsAll(sb);
    expect(entry).toMatchObject({ state: "exited", exitStatus: 0, pid: Number(wrapped.stderr.trim()) });
  });

  test("`cat $'f\\xff.txt'` reads the file under supervise as without it", async () => {
    sb = makeSandbox();
    // Where the decoded name points: the file the code before read instead.
    writeFileSync(join(sb.dir, "f\uFFFD.txt"), "the wrong file\n");
    await bash(String.raw`printf 'the right file\n' > $'f\xff.txt'`);
    const { plain, wrapped } = await bothWays((sv) => String.raw`${sv} cat $'f\xff.txt'`);
    expect(plain).toMatchObject({ exitCode: 0, stderr: "" });
    expect(Buffer.from(wrapped.stdout).toString()).toBe("the right file\n");
    expect(wrapped).toMatchObject({ exitCode: 0, stderr: "" });
  });

  test("environment: names and values that are not UTF-8 pass unchanged, and the command gets exactly our environment plus its cookie (no .env of the working directory)", async () => {
    sb = makeSandbox();
    // Bun reads a .env file in the working directory into process.env; the command must not get it.
    writeFileSync(join(sb.dir, ".env"), "FROM_DOTENV=1\n");
    const env = String.raw`env -i PATH="$PATH" SUPERVISE_HOME="$SUPERVISE_HOME" SUPERVISE_CONFIG="$SUPERVISE_CONFIG" V=$'a\xfe\xffb' $'N\xff=1' E= B=$'\xef\xbb\xbf' P='%s\101' __proto__=x SUPERVISE_ID=outer`;
    const { plain, wrapped } = await bothWays((sv) => `${env} ${sv} sh -c 'cat /proc/$$/environ'`);
    expect(plain.exitCode).toBe(0);
    expect(wrapped.exitCode).toBe(0);
    const [entry] = await lsAll(sb);
    const plainWords = words(plain.stdout);
    expect(plainWords).toContain("V=a\xfe\xffb");
    expect(plainWords).toContain("N\xff=1");
    // dash adds PWD to what it was given; it does so under both.
    expect(words(wrapped.stdout)).toEqual(plainWords.map((w) => (w === "SUPERVISE_ID=outer" ? `SUPERVISE_ID=${entry.id}` : w)));
  });

  test("working directory: a command run in a directory whose path is not UTF-8 runs there (not 127)", async () => {
    sb = makeSandbox();
    await bash(String.raw`mkdir $'dir\xff' && printf here > $'dir\xff/f.txt'`);
    const { plain, wrapped } = await bothWays((sv) => String.raw`cd $'dir\xff' && ${sv} sh -c 'pwd; cat f.txt'`);
    expect(Buffer.from(plain.stdout).toString("latin1")).toBe(`${sb.dir}/dir\xff\nhere`);
    expect({ exitCode: wrapped.exitCode, stdout: hex(wrapped.stdout), stderr: wrapped.stderr }).toEqual({ exitCode: 0, stdout: hex(plain.stdout), stderr: "" });
  });

  test("--capture: bytes that are not UTF-8 pass through to our stdout and into the file unchanged", async () => {
    sb = makeSandbox();
    const r = await bash(String.raw`"$BUN" "$CLI" run --capture -- printf '%s' $'\xff\xfe\xe2\x82'`);
    expect({ exitCode: r.exitCode, stdout: hex(r.stdout) }).toEqual({ exitCode: 0, stdout: "fffee282" });
    const [entry] = await lsAll(sb);
    expect(hex(await Bun.file(join(sb.home, "output", `${entry.id}.log`)).bytes())).toBe("fffee282");
  });

  test("what cannot be passed unchanged is refused (125, one line) rather than run differently: a command name with '=' behind an environment that is not UTF-8", async () => {
    sb = makeSandbox();
    mkdirSync(join(sb.dir, "bin"));
    writeFileSync(join(sb.dir, "bin", "a=b"), "#!/bin/sh\ntouch \"$D/ran\"\n", { mode: 0o755 });
    const r = await bash(String.raw`env $'N\xff=1' "$BUN" "$CLI" run -- "$D/bin/a=b"; echo "exit $?"; [ -e "$D/ran" ] && echo ran`);
    expect(Buffer.from(r.stdout).toString()).toBe("exit 125\n");
    expect(r.stderr).toBe('supervise: the environment variable N\\xff is not valid UTF-8, and a command name holding "=" cannot be passed through /usr/bin/env; Bun cannot pass it through unchanged\n');
    expect(await lsAll(sb)).toEqual([]);
  });
});
