// `run --capture` and `supervise logs`: output still reaches the caller unchanged and
// unbuffered, a copy is kept (bounded), and --follow streams until the entry ends.

import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli.ts";
import { BUN, CLI, makeSandbox, waitFor, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

const gate = (name: string) => `while [ ! -e ${sb.dir}/${name} ]; do sleep 0.02; done`;
const open = (name: string) => Bun.write(`${sb.dir}/${name}`, "");

/** Reads a stream's chunks until `text` has arrived (no line splitting: partial lines count). */
async function readUntil(reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> }, seen: { text: string }, text: string): Promise<void> {
  const decoder = new TextDecoder();
  const deadline = Date.now() + 10_000;
  while (!seen.text.includes(text)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; had ${JSON.stringify(seen.text)}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(text)}; had ${JSON.stringify(seen.text)}`);
    seen.text += decoder.decode(value, { stream: true });
  }
}

async function onlyId(): Promise<string> {
  const entries = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout);
  expect(entries).toHaveLength(1);
  return entries[0].id;
}

describe("run --capture", () => {
  test("stdout and stderr pass through unchanged, a partial line is not held back, and both are kept", async () => {
    sb = makeSandbox();
    const script = `echo o1; echo e1 >&2; printf 'prompt> '; ${gate("go")}; echo o2; printf 'e2' >&2`;
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/cli.ts"), "run", "--capture", "--", "sh", "-c", script], {
      env: sb.env,
      cwd: sb.dir,
      stdout: "pipe",
      stderr: "pipe",
    });
    sb.track(proc.pid);
    const out = { text: "" };
    const reader = proc.stdout.getReader();
    // "prompt> " has no newline and the command is blocked: it must arrive anyway.
    await readUntil(reader, out, "prompt> ");
    await open("go");
    const [stderr, code] = await Promise.all([proc.stderr.text(), proc.exited]);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) out.text += new TextDecoder().decode(chunk.value);
    expect(code).toBe(0);
    expect(out.text).toBe("o1\nprompt> o2\n");
    expect(stderr).toBe("e1\ne2");

    const id = await onlyId();
    const kept = readFileSync(join(sb.home, "output", `${id}.log`), "utf8");
    // One file for both streams: each stream's own order is kept.
    expect(kept.length).toBe("o1\nprompt> o2\n".length + "e1\ne2".length);
    expect(kept.replace("e1\n", "").replace("e2", "")).toBe("o1\nprompt> o2\n");
    expect(statSync(join(sb.home, "output", `${id}.log`)).mode & 0o777).toBe(0o600);

    const logs = await runCli(sb, ["logs", id.slice(0, 4)]);
    expect(logs).toEqual({ exitCode: 0, stdout: kept, stderr: "" });
  });

  test("bytes are copied as they are (no decoding)", async () => {
    sb = makeSandbox();
    const r = await runCli(sb, ["run", "--capture", "--", "printf", "\\000\\377\\303(\\n"]);
    expect(r.exitCode).toBe(0);
    const id = await onlyId();
    expect([...readFileSync(join(sb.home, "output", `${id}.log`))]).toEqual([0, 0xff, 0xc3, 0x28, 0x0a]);
  });

  test("a chatty command cannot fill the disk: run.captureMaxBytes bounds the copy, the newest output is kept", async () => {
    sb = makeSandbox({ run: { captureMaxBytes: 4096 } });
    const r = await runCli(sb, ["run", "--capture", "--", "sh", "-c", "i=0; while [ $i -lt 500 ]; do printf 'line %03d %s\\n' $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toHaveLength(501);
    const id = await onlyId();
    const files = readdirSync(join(sb.home, "output"));
    // The arrival marks count toward the bound.
    expect(files.sort()).toEqual([`${id}.log`, `${id}.log.1`, `${id}.times`, `${id}.times.1`]);
    const total = files.reduce((sum, f) => sum + statSync(join(sb.home, "output", f)).size, 0);
    expect(total).toBeLessThanOrEqual(4096);
    const logs = (await runCli(sb, ["logs", id])).stdout;
    expect(r.stdout.endsWith(logs)).toBe(true);
    expect(logs).toMatch(/\nline 499 x+\n$/);
    expect(logs.length).toBeGreaterThan(1024);
  });
});

describe("supervise logs", () => {
  test("--follow prints what is written after it started, and ends when the entry ends", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--capture", "--", "sh", "-c", `echo "$SUPERVISE_ID"; echo first; ${gate("a")}; echo second; ${gate("b")}; printf third`]);
    const id = await run.nextLine();
    const follow = startCli(sb, ["logs", "--follow", id]);
    expect(await follow.nextLine()).toBe(id);
    expect(await follow.nextLine()).toBe("first");
    await open("a");
    expect(await follow.nextLine()).toBe("second");
    await open("b");
    const r = await follow.finish();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${id}\nfirst\nsecond\nthird`);
    expect((await run.finish()).exitCode).toBe(0);
  });

  test("--follow ends when the entry is killed", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--capture", "--", "sh", "-c", `echo "$SUPERVISE_ID"; exec sleep 100`]);
    const id = await run.nextLine();
    const follow = startCli(sb, ["logs", "-f", id]);
    expect(await follow.nextLine()).toBe(id);
    expect((await runCli(sb, ["kill", id])).exitCode).toBe(0);
    expect((await follow.finish()).exitCode).toBe(0);
  });

  test("an entry without --capture: exit 1 with the reason; unknown id: exit 2", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--", "true"]);
    const id = await onlyId();
    expect(await runCli(sb, ["logs", id])).toEqual({ exitCode: 1, stdout: "", stderr: `supervise: entry ${id} has no captured output (run it with --capture)\n` });
    expect(await runCli(sb, ["logs", "nosuch"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: no entry 'nosuch' (an id or its prefix, a --name, or a live pid, from supervise ls)\n" });
    expect((await runCli(sb, ["logs"])).exitCode).toBe(2);
  });

  test("--timestamps / -t: each line with when it arrived, from the marks the capture wrote", async () => {
    sb = makeSandbox();
    const before = Date.now();
    await runCli(sb, ["run", "--capture", "-n", "timed", "--", "sh", "-c", "echo a; echo b; printf c"]);
    const after = Date.now();
    const r = await runCli(sb, ["logs", "timed", "-t"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines.map((line) => line.slice(25))).toEqual(["a", "b", "c"]);
    for (const line of lines) {
      expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
      const at = Date.parse(line.slice(0, 24));
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
    }
  });

  test("--since DUR: only the lines that arrived in the last DUR, across a rotation; with --tail, the last N of those; a bad DUR is exit 2", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--capture", "-n", "old", "--", "true"]);
    const id = await onlyId();
    // What a capture that began 3 h ago and rotated once would have left.
    const now = Date.now();
    const dir = join(sb.home, "output");
    writeFileSync(join(dir, `${id}.log.1`), "3h ago\n2h ago\n");
    writeFileSync(join(dir, `${id}.times.1`), `0 ${now - 3 * 3_600_000}\n7 ${now - 2 * 3_600_000}\n`);
    writeFileSync(join(dir, `${id}.log`), "30m ago\n1s ago\nnow, unfinished");
    writeFileSync(join(dir, `${id}.times`), `0 ${now - 1_800_000}\n8 ${now - 1_000}\n15 ${now}\n`);
    const logs = async (...args: string[]) => (await runCli(sb, ["logs", id, ...args])).stdout;
    expect(await logs()).toBe("3h ago\n2h ago\n30m ago\n1s ago\nnow, unfinished");
    expect(await logs("--since", "150m")).toBe("2h ago\n30m ago\n1s ago\nnow, unfinished");
    expect(await logs("--since", "1h")).toBe("30m ago\n1s ago\nnow, unfinished");
    expect(await logs("--since", "1h", "-n", "2")).toBe("1s ago\nnow, unfinished");
    expect(await logs("--since", "none")).toBe(await logs());
    expect(await logs("--since", "20m", "--timestamps")).toBe(`${new Date(now - 1_000).toISOString()} 1s ago\n${new Date(now).toISOString()} now, unfinished`);
    expect(await runCli(sb, ["logs", id, "--since", "yesterday"])).toEqual({ exitCode: 2, stdout: "", stderr: 'supervise: invalid duration for --since: "yesterday" (examples: 90, 500ms, 5m, 2h, 1d, none)\n' });
  });

  test("a line the rotation cut in two is one line for --tail, --timestamps and --since; a chunk just under half the bound stays within it", async () => {
    sb = makeSandbox({ run: { captureMaxBytes: 1024 } });
    const write = (chunks: string) => ["python3", "-c", `import os, time\nfor c in [${chunks}]: os.write(1, c); time.sleep(0.05)`];
    await runCli(sb, ["run", "--capture", "-n", "split", "--", ...write(`b"C" * 100, b"D" * 450 + b"\\nnext\\n"`)]);
    const lengths = async (...args: string[]) => (await runCli(sb, ["logs", "split", ...args])).stdout.split("\n").map((line) => line.length);
    expect(await lengths()).toEqual([550, 4, 0]);
    expect(await lengths("--tail", "2")).toEqual([550, 4, 0]);
    expect(await lengths("--since", "1h")).toEqual([550, 4, 0]);
    expect(await lengths("-t")).toEqual([25 + 550, 25 + 4, 0]);
    // Three chunks of 512 bytes at a 1024-byte bound: each rotation leaves room for its mark.
    await runCli(sb, ["run", "--capture", "-n", "halves", "--", ...write(`b"a" * 512, b"b" * 512, b"c" * 512`)]);
    const id = JSON.parse((await runCli(sb, ["ls", "--all", "--json"])).stdout).find((e: { name: string }) => e.name === "halves").id;
    const files = readdirSync(join(sb.home, "output")).filter((name) => name.startsWith(id));
    expect(files.reduce((sum, name) => sum + statSync(join(sb.home, "output", name)).size, 0)).toBeLessThanOrEqual(1024);
  });

  test("nothing selected writes nothing: a file stdout is appended to keeps what it had", async () => {
    sb = makeSandbox();
    await runCli(sb, ["run", "--capture", "-n", "old", "--", "echo", "hi"]);
    const kept = join(sb.dir, "build.log");
    writeFileSync(kept, "precious\n");
    const r = Bun.spawnSync(["bash", "-c", `"$0" "$1" logs old --since 1ms >> "$2"; "$0" "$1" logs old -n 0 >> "$2"`, BUN, CLI, kept], { env: sb.env, cwd: sb.dir });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(kept, "utf8")).toBe("precious\n");
  });

  test("--follow --timestamps: a stamp for each line as it comes, none inside a line written in two parts", async () => {
    sb = makeSandbox();
    const run = startCli(sb, ["run", "--capture", "--", "sh", "-c", `echo "$SUPERVISE_ID"; printf 'par'; ${gate("a")}; echo t; echo next; ${gate("b")}`]);
    const id = await run.nextLine();
    const follow = startCli(sb, ["logs", "-f", "-t", id]);
    expect(await follow.nextLine()).toMatch(new RegExp(`^\\S+Z ${id}$`));
    await waitFor(() => readFileSync(join(sb.home, "output", `${id}.log`), "utf8").endsWith("par"), 10_000, "the first part");
    await open("a");
    const partial = await follow.nextLine();
    expect(partial).toMatch(/^\S+Z part$/);
    expect(await follow.nextLine()).toMatch(/^\S+Z next$/);
    await open("b");
    const r = await follow.finish();
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("");
    expect((await run.finish()).exitCode).toBe(0);
  });

  test("--tail N / -n N: the last N lines, as tail -n, across a rotation; 0 is nothing; a bad count is exit 2", async () => {
    sb = makeSandbox({ run: { captureMaxBytes: 4096 } });
    await runCli(sb, ["run", "--capture", "-n", "short", "--", "sh", "-c", "for i in 1 2 3 4 5; do echo $i; done; printf last"]);
    expect((await runCli(sb, ["logs", "short", "--tail", "2"])).stdout).toBe("5\nlast");
    expect((await runCli(sb, ["logs", "short", "-n", "0"])).stdout).toBe("");
    expect((await runCli(sb, ["logs", "short", "-n", "100"])).stdout).toBe("1\n2\n3\n4\n5\nlast");
    // 45 lines of 60 bytes, and at most a 19-byte mark each, rotate a 4 KiB capture once: the last 30 span both files.
    await runCli(sb, ["run", "--capture", "-n", "rotated", "--", "sh", "-c", "i=10; while [ $i -lt 55 ]; do printf 'line %02d %s\\n' $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done"]);
    const tail = (await runCli(sb, ["logs", "rotated", "-n", "30"])).stdout.split("\n");
    expect(tail).toHaveLength(31);
    expect([tail[0]!.slice(0, 7), tail[29]!.slice(0, 7), tail[30]]).toEqual(["line 25", "line 54", ""]);
    expect(await runCli(sb, ["logs", "short", "-n", "-1"])).toEqual({ exitCode: 2, stdout: "", stderr: 'supervise: invalid line count for --tail: "-1" (a whole number, as tail -n)\n' });
  });
});
