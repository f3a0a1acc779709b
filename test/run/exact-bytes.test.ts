import { describe, expect, test } from "bun:test";
import { commandWords, launchOf, shellSpelling, SHIM, type RawWords } from "../../src/run/exact-bytes.ts";
import { launchFor } from "../../src/run/exact-launch.ts";

const bytes = (latin1: string) => new Uint8Array(Buffer.from(latin1, "latin1"));
const utf8 = (text: string) => new TextEncoder().encode(text);
const block = (...words: Uint8Array[]) => new Uint8Array(Buffer.concat([...words.flatMap((w) => [Buffer.from(w), Buffer.from([0])])]));
const COOKIE = ["SUPERVISE_ID", "abc"] as const;

describe("shellSpelling: printf's format for the bytes", () => {
  const cases: Array<[label: string, word: Uint8Array, spelled: string]> = [
    ["ASCII as it is", utf8("ls -la"), "ls -la"],
    ["printf's own characters escaped", utf8("a\\b%s"), "a\\134b\\045s"],
    ["UTF-8 as it is", utf8("é 日本 🎉"), "é 日本 🎉"],
    ["bytes that are not UTF-8", bytes("\xff\xfe"), "\\377\\376"],
    ["a cut sequence", bytes("\xe2\x82x"), "\\342\\202x"],
    ["an encoded surrogate", bytes("\xed\xa0\x80"), "\\355\\240\\200"],
    ["an overlong /", bytes("\xc0\xaf"), "\\300\\257"],
    ["past U+10FFFF", bytes("\xf4\x90\x80\x80"), "\\364\\220\\200\\200"],
    ["a BOM is a character", bytes("\xef\xbb\xbf"), "\ufeff"],
    ["newlines and tabs as they are", utf8("a\n\tb\n"), "a\n\tb\n"],
    ["empty", utf8(""), ""],
  ];
  test.each(cases)("%s", (_label, word, spelled) => {
    expect(shellSpelling(word)).toBe(spelled);
  });
});

describe("commandWords: the command's bytes from our command line", () => {
  const cmdline = block(utf8("bun"), utf8("cli.ts"), utf8("run"), utf8("--"), utf8("cat"), bytes("f\xff\xfe.txt"));
  const cases: Array<[label: string, command: string[], cmdline: Uint8Array | null, expected: Uint8Array[] | string]> = [
    ["the last words", ["cat", "f\uFFFD\uFFFD.txt"], cmdline, [utf8("cat"), bytes("f\xff\xfe.txt")]],
    ["another decoder's count of U+FFFD", ["cat", "f\uFFFD.txt"], cmdline, [utf8("cat"), bytes("f\xff\xfe.txt")]],
    ["UTF-8 words need no command line", ["ls", "é"], null, [utf8("ls"), utf8("é")]],
    ["a lost word without the command line is refused", ["cat", "f\uFFFD.txt"], null, "argument 1 of the command is not valid UTF-8"],
    ["a lost word that does not match is refused", ["cat", "g\uFFFD.txt"], cmdline, "argument 1 of the command is not valid UTF-8"],
    ["more words than the command line holds", ["a", "b", "c", "d", "e", "f", "\uFFFD"], cmdline, "argument 6 of the command is not valid UTF-8"],
  ];
  test.each(cases)("%s", (_label, command, line, expected) => {
    if (typeof expected === "string") expect(() => commandWords(command, line)).toThrow(expected);
    else expect(commandWords(command, line)).toEqual(expected);
  });
});

describe("launchOf: Bun.spawn's command and environment", () => {
  const raw = (argv: Uint8Array[], environ: Uint8Array[]): RawWords => ({ argv, environ });
  const ready = () => true;

  test("all UTF-8: the words as they are, the environment as given, the cookie in place of an inherited one, the first of each name", () => {
    const launch = launchOf(raw([utf8("ls"), utf8("é")], [utf8("A=1"), utf8("SUPERVISE_ID=outer"), utf8("A=2"), utf8("NOEQUALS"), utf8("=x"), utf8("__proto__=p"), utf8("B=")]), COOKIE, ready);
    expect(launch.viaShell).toBe(false);
    expect(launch.cmd).toEqual(["ls", "é"]);
    expect(Object.entries(launch.env)).toEqual([["A", "1"], ["SUPERVISE_ID", "abc"], ["__proto__", "p"], ["B", ""]]);
  });

  test("a word that is not UTF-8: through the shell, which gets only the cookie", () => {
    const launch = launchOf(raw([utf8("cat"), bytes("f\xff")], [utf8("A=1")]), COOKIE, ready);
    expect(launch).toEqual({ cmd: ["/bin/sh", "-c", SHIM, "supervise", "A=1", "SUPERVISE_ID=abc", "cat", "f\\377"], env: { SUPERVISE_ID: "abc" }, viaShell: true });
  });

  const refusals: Array<[label: string, words: RawWords, ready: boolean, message: string]> = [
    ["no shell", raw([utf8("cat"), bytes("f\xff")], []), false, "argument 1 of the command is not valid UTF-8, and passing it through needs /bin/sh and /usr/bin/env; Bun cannot pass it through unchanged"],
    ["a name that is not UTF-8, no shell", raw([bytes("\xff")], []), false, "the command name is not valid UTF-8"],
    ["a variable's value, a command name with =", raw([utf8("./a=b")], [bytes("V=\xff")]), true, 'the environment variable V is not valid UTF-8, and a command name holding "=" cannot be passed through /usr/bin/env'],
    ["a variable's name, shown escaped", raw([utf8("a=b")], [bytes("N\xff\x1b=1")]), true, "the environment variable N\\xff\\x1b is not valid UTF-8"],
  ];
  test.each(refusals)("refused: %s", (_label, words, shellReady, message) => {
    expect(() => launchOf(words, COOKIE, () => shellReady)).toThrow(message);
  });
});

describe("launchFor: the fast path", () => {
  test("UTF-8 command line and environment: the command as Bun decoded it, the environment from /proc (not process.env), the cookie appended", async () => {
    const launch = await launchFor(["ls"], COOKIE, { cmdline: block(utf8("bun"), utf8("ls")), environ: block(utf8("PATH=/bin"), utf8("A=1")), env: { FROM_DOTENV: "1" } });
    expect(launch).toEqual({ cmd: ["ls"], env: Object.assign(Object.create(null), { PATH: "/bin", A: "1", SUPERVISE_ID: "abc" }), viaShell: false });
  });

  test("no /proc: Bun's environment", async () => {
    const launch = await launchFor(["ls"], COOKIE, { cmdline: null, environ: null, env: { A: "1" } });
    expect({ ...launch.env }).toEqual({ A: "1", SUPERVISE_ID: "abc" });
  });
});

/** What a shell makes of SHIM: the final command prints its argv and environment. */
describe("SHIM under each shell rebuilds the exact bytes", () => {
  const shells = ["/usr/bin/dash", "/usr/bin/bash", "/bin/busybox"].filter((path) => Bun.which(path) !== null);
  const argv = [utf8("/bin/sh"), utf8("-c"), utf8("cat /proc/$$/cmdline; printf '\\n--\\n'; cat /proc/$$/environ"), bytes("\xff\xfe"), utf8("-n"), utf8("%s\\0101"), bytes("a\n\n"), utf8(""), bytes("\xef\xbb\xbf\xe2\x82")];
  const environ = [bytes("V=\xfe"), bytes("N\xff=1"), utf8("E="), utf8("SUPERVISE_ID=abc")];
  test.each(shells)("%s", async (shell) => {
    const proc = Bun.spawn([shell, "-c", SHIM, "supervise", ...environ.map(shellSpelling), ...argv.map(shellSpelling)], { env: {}, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).arrayBuffer(), proc.stderr.text(), proc.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const [cmdline, env] = Buffer.from(out).toString("latin1").split("\n--\n");
    expect(cmdline).toBe(Buffer.from(block(...argv)).toString("latin1"));
    expect(env).toBe(Buffer.from(block(...environ)).toString("latin1"));
  });
});
