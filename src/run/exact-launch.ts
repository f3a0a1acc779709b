// The command starts with the very bytes we were given: its words as in /proc/self/cmdline and
// the environment as in /proc/self/environ. Bun's copies are decoded (a byte that is not UTF-8
// is U+FFFD in process.argv and process.env), and process.env also holds what Bun read from a
// .env file in the working directory, which the command must not get. The working directory
// is inherited, never named. Where every word is UTF-8 (nearly always), the strings are the
// bytes; otherwise exact-bytes.ts takes over.

/** What Bun.spawn gets. */
export interface Launch {
  cmd: string[];
  env: Record<string, string>;
  /** Through a shell and env(1) (exact-bytes.ts): some word is not UTF-8. */
  viaShell: boolean;
}

export interface LaunchSources {
  /** Our /proc/self/cmdline and /proc/self/environ; null where unreadable. */
  cmdline: Uint8Array | null;
  environ: Uint8Array | null;
  /** Bun's decoded environment, for when /proc/self/environ cannot be read. */
  env: NodeJS.ProcessEnv;
  /** The command's last word when it is not on our command line (`run --arg-file`). */
  lastWord?: Uint8Array | null;
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** Bun.spawn's command and environment for `command` (Bun's decoding of our last words), `cookie` set in place of an inherited one. */
export async function launchFor(command: string[], cookie: readonly [name: string, value: string], sources: LaunchSources, ignore: readonly string[] = []): Promise<Launch> {
  const environ = sources.environ === null ? null : strictUtf8(sources.environ);
  const onCmdline = sources.lastWord ? command.slice(0, -1) : command;
  const wordsAsGiven =
    (sources.cmdline === null ? !onCmdline.some((word) => word.includes("\uFFFD")) : strictUtf8(sources.cmdline) !== null) && (!sources.lastWord || strictUtf8(sources.lastWord) !== null);
  // Signals inherited as ignored are set again by a shell before the exec (inherited-ignores.ts).
  if (!wordsAsGiven || (sources.environ !== null && environ === null) || ignore.length > 0) {
    const { exactLaunch } = await import("./exact-bytes.ts");
    return exactLaunch(command, cookie, sources, ignore);
  }
  const env = environ === null ? fromEntries(Object.entries(sources.env)) : envOf(environ.split("\0"));
  env[cookie[0]] = cookie[1];
  return { cmd: command, env, viaShell: false };
}

/** NAME=VALUE entries with a name, the first of each name (as getenv reads them). */
export function envOf(entries: readonly string[]): Record<string, string> {
  const pairs: Array<[string, string]> = [];
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at > 0) pairs.push([entry.slice(0, at), entry.slice(at + 1)]);
  }
  return fromEntries(pairs);
}

function fromEntries(pairs: ReadonlyArray<readonly [string, string | undefined]>): Record<string, string> {
  // No prototype: a variable named __proto__ is a variable like any other.
  const env: Record<string, string> = Object.create(null);
  for (const [name, value] of pairs) if (value !== undefined && !Object.hasOwn(env, name)) env[name] = value;
  return env;
}

/** Read once, with Bun.file: the run path needs no node:fs for it. */
export async function readOwnEnviron(): Promise<Uint8Array | null> {
  try {
    return await Bun.file("/proc/self/environ").bytes();
  } catch {
    return null;
  }
}
