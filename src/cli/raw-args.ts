// Bun drops a `--` that directly follows the script path (`supervise -- ls` arrives
// as ["ls"]), so `supervise -- ls` (run the program ls) would look like `supervise ls`
// (list entries). The kernel's copy of our command line still has every word.

/** The arguments after the script, with a dropped `--` restored from the raw command line. */
export function userArgs(argv: readonly string[], raw: string | null): string[] {
  const args = argv.slice(2);
  if (raw === null) return args;
  const words = raw.split("\0");
  if (words.at(-1) === "") words.pop();
  const at = words.length - args.length - 1;
  if (at < 1 || words[at] !== "--") return args;
  for (let i = 0; i < args.length; i++) if (words[at + 1 + i] !== args[i]) return args;
  // Only a `--` right after the script is dropped; any other `--` is still in args.
  if (!isScriptWord(words[at - 1]!, argv[1] ?? "")) return args;
  return ["--", ...args];
}

function isScriptWord(word: string, scriptPath: string): boolean {
  if (word === scriptPath) return true;
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  return base(word) === base(scriptPath) || base(word) === "supervise";
}

let ownCmdline: Promise<Uint8Array | null> | undefined;

/**
 * Our own command line as the kernel has it, read once with Bun.file (the hooks' do-nothing
 * path never needs node:fs otherwise): `run` passes its command's words on from these bytes.
 */
export function readOwnCmdlineBytes(): Promise<Uint8Array | null> {
  return (ownCmdline ??= Bun.file("/proc/self/cmdline").bytes().catch(() => null));
}

/** The command line decoded, a byte that is not UTF-8 read as U+FFFD (as Bun decodes process.argv). */
export async function readOwnCmdline(): Promise<string | null> {
  const bytes = await readOwnCmdlineBytes();
  return bytes === null ? null : new TextDecoder().decode(bytes);
}
