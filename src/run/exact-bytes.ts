// The slow path of exact-launch.ts, for a word that is not UTF-8 (an argument, an environment
// variable's name or value). Bun.spawn takes strings only and encodes them as UTF-8, so such a
// word is carried by a POSIX shell: it gets every word spelled in ASCII, rebuilds the bytes
// with printf, and execs /usr/bin/env -i with the exact environment, which execs the command:
// one pid, two execs. Where even that cannot be, the run is refused (125), never changed.

import { accessSync, constants } from "node:fs";
import { UsageError } from "../errors.ts";
import { envOf, strictUtf8, type Launch, type LaunchSources } from "./exact-launch.ts";

export const SHELL = "/bin/sh";
export const ENV = "/usr/bin/env";

/** What the kernel gave us: the command's words, and our environment's NAME=VALUE entries. */
export interface RawWords {
  argv: Uint8Array[];
  environ: Uint8Array[];
}

const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** NUL-separated words, as /proc/self/cmdline and /proc/self/environ hold them. */
export function splitWords(block: Uint8Array): Uint8Array[] {
  const words: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < block.length; i++) {
    if (block[i] !== 0) continue;
    words.push(block.subarray(start, i));
    start = i + 1;
  }
  if (start < block.length) words.push(block.subarray(start));
  return words;
}

/** Decoded words compare equal whatever number of U+FFFD each decoder puts for one bad sequence. */
const comparable = (word: string) => word.replace(/\uFFFD+/g, "\uFFFD");

/**
 * The command's words from our raw command line: its last `command.length` words, which Bun
 * decoded into `command`. A word that is not UTF-8 and cannot be matched there is refused:
 * Bun's copy of it is not what the caller wrote.
 */
export function commandWords(command: readonly string[], cmdline: Uint8Array | null): Uint8Array[] {
  const encoded = command.map((word) => new TextEncoder().encode(word));
  const words = cmdline === null ? [] : splitWords(cmdline);
  const tail = words.slice(words.length - command.length);
  const aligned = words.length >= command.length && tail.every((word, i) => comparable(lenient.decode(word)) === comparable(command[i]!));
  return command.map((word, i) => {
    if (aligned) return tail[i]!;
    if (!word.includes("\uFFFD")) return encoded[i]!;
    throw new UsageError(`${ordinal(i)} is not valid UTF-8 and its bytes cannot be found in /proc/self/cmdline; Bun cannot pass it through unchanged`);
  });
}

function ordinal(i: number): string {
  return i === 0 ? "the command name" : `argument ${i} of the command`;
}

/** Bun.spawn's command and environment for what our /proc files hold (LaunchSources), `cookie` set. */
export function exactLaunch(command: readonly string[], cookie: readonly [name: string, value: string], sources: LaunchSources, ignore: readonly string[] = []): Launch {
  const encoder = new TextEncoder();
  const environ = sources.environ !== null ? splitWords(sources.environ) : Object.entries(sources.env).flatMap(([name, value]) => (value === undefined ? [] : [encoder.encode(`${name}=${value}`)]));
  const argv = sources.lastWord ? [...commandWords(command.slice(0, -1), sources.cmdline), sources.lastWord] : commandWords(command, sources.cmdline);
  return launchOf({ argv, environ }, cookie, defaultShellReady, ignore);
}

/**
 * Bun.spawn's command and environment for the raw words, with `cookie` set (in place of an
 * inherited one). Only where some word is not UTF-8 does the shell come in; `shellReady`
 * says whether /bin/sh and /usr/bin/env are there.
 */
export function launchOf(raw: RawWords, cookie: readonly [name: string, value: string], shellReady: () => boolean = defaultShellReady, ignore: readonly string[] = []): Launch {
  const environ = withCookie(raw.environ, cookie[0], new TextEncoder().encode(`${cookie[0]}=${cookie[1]}`));
  const argv = raw.argv.map(strictUtf8);
  const env = environ.map(strictUtf8);
  const utf8 = argv.every((word) => word !== null) && env.every((entry) => entry !== null);
  const direct = (): Launch => ({ cmd: argv as string[], env: envOf(env as string[]), viaShell: false });
  if (utf8 && ignore.length === 0) return direct();
  // Only the inherited ignores want the shell: without one, the command starts with defaults, as Bun gives.
  if (utf8 && (!shellReady() || raw.argv[0]!.includes(0x3d))) return direct();
  if (utf8) return viaShell(raw, environ, cookie, ignore);
  const bad = argv.findIndex((word) => word === null);
  const what = bad >= 0 ? ordinal(bad) : `the environment variable ${shownBytes(nameOf(environ[env.findIndex((entry) => entry === null)]!))}`;
  const refuse = (why: string) => new UsageError(`${what} is not valid UTF-8, and ${why}; Bun cannot pass it through unchanged`);
  if (!shellReady()) throw refuse(`passing it through needs ${SHELL} and ${ENV}`);
  // env(1) takes every leading word with "=" for a variable.
  if (raw.argv[0]!.includes(0x3d)) throw refuse(`a command name holding "=" cannot be passed through ${ENV}`);
  return viaShell(raw, environ, cookie, ignore);
}

/** The words through `sh -c SHIM` and env(1); the signals in `ignore` (their names) set to ignored first, as `trap ''` does, which exec keeps. */
function viaShell(raw: RawWords, environ: readonly Uint8Array[], cookie: readonly [name: string, value: string], ignore: readonly string[]): Launch {
  const traps = ignore.length ? `trap '' ${ignore.join(" ")}; ` : "";
  return {
    cmd: [SHELL, "-c", traps + SHIM, "supervise", ...environ.map(shellSpelling), ...raw.argv.map(shellSpelling)],
    // Nothing of ours for the shell to read (ENV, BASH_ENV), and the C locale: printf writes bytes.
    env: { [cookie[0]]: cookie[1] },
    viaShell: true,
  };
}

/**
 * Run as `sh -c SHIM supervise WORD...`: each word is printf's format (only `\ooo` escapes in
 * it), between two `_` that keep a leading `-` from printf and a trailing newline from `$()`.
 * The first words are NAME=VALUE entries, the rest the command: env(1) reads the environment
 * up to the first word without "=".
 */
export const SHIM = `for a do v=$(printf "_\${a}_"); v=\${v#_}; set -- "$@" "\${v%_}"; shift; done; exec ${ENV} -i -- "$@"`;

/** printf's format for the bytes: UTF-8 as it is, `\` and `%` and every other byte as `\ooo`. */
export function shellSpelling(bytes: Uint8Array): string {
  return spelled(bytes, (byte) => byte === 0x5c || byte === 0x25, octal);
}

/** The bytes for a message: UTF-8 as it is, control characters and every other byte as `\xNN`. */
export function shownBytes(bytes: Uint8Array): string {
  return spelled(bytes, (byte) => byte < 0x20 || byte === 0x7f, (byte) => `\\x${byte.toString(16).padStart(2, "0")}`);
}

function spelled(bytes: Uint8Array, special: (byte: number) => boolean, escape: (byte: number) => string): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      out += special(byte) ? escape(byte) : String.fromCharCode(byte);
      i++;
      continue;
    }
    const length = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    const char = length > 0 && i + length <= bytes.length ? strictUtf8(bytes.subarray(i, i + length)) : null;
    if (char !== null) {
      out += char;
      i += length;
    } else {
      out += escape(byte);
      i++;
    }
  }
  return out;
}

const octal = (byte: number) => `\\${byte.toString(8).padStart(3, "0")}`;

function nameOf(entry: Uint8Array): Uint8Array {
  const at = entry.indexOf(0x3d);
  return at === -1 ? entry : entry.subarray(0, at);
}

/** NAME=VALUE entries with a name, the first of each name (as getenv reads them), `cookie` in place of its name's. */
function withCookie(environ: readonly Uint8Array[], name: string, cookie: Uint8Array): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  let placed = false;
  for (const entry of environ) {
    const at = entry.indexOf(0x3d);
    if (at <= 0) continue;
    // Names compared as bytes: latin1 maps each byte to one character.
    const key = Buffer.from(entry.buffer, entry.byteOffset, at).toString("latin1");
    if (seen.has(key)) continue;
    seen.add(key);
    if (key === name) {
      out.push(cookie);
      placed = true;
    } else out.push(entry);
  }
  if (!placed) out.push(cookie);
  return out;
}

let shellFound: boolean | undefined;

function defaultShellReady(): boolean {
  if (shellFound !== undefined) return shellFound;
  try {
    accessSync(SHELL, constants.X_OK);
    accessSync(ENV, constants.X_OK);
    shellFound = true;
  } catch {
    shellFound = false;
  }
  return shellFound;
}
