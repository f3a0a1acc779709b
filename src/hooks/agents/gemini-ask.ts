// Whether the Gemini CLI that runs this hook can ask its user. Gemini CLI 0.61.0 waits forever
// on a BeforeTool "ask" when it runs headless (`gemini -p`, no terminal, CI): the ask is sent
// as a deny there. Headless as Gemini itself decides it (isHeadlessMode), read from its /proc.

import { readlinkSync } from "node:fs";
import { lastingAncestors } from "../blind-kill/hits.ts";
import { readNow } from "../../proc/facts.ts";

export function geminiCanAsk(ancestors: readonly number[] = lastingAncestors()): boolean {
  const cli = ancestors.find((pid) => (readNow.cmdline(pid) ?? []).some((word) => /(^|\/)gemini(\.js)?$|gemini-cli/.test(word)));
  if (cli === undefined) return false;
  const argv = readNow.cmdline(cli) ?? [];
  if (argv.includes("-i") || argv.includes("--prompt-interactive")) return true;
  if (argv.includes("-p") || argv.includes("--prompt")) return false;
  const env = (readNow.environ(cli) ?? "").split("\0");
  if (env.includes("CI=true") || env.includes("GITHUB_ACTIONS=true")) return false;
  return isTerminal(cli, 0) && isTerminal(cli, 1);
}

function isTerminal(pid: number, fd: number): boolean {
  try {
    return /^\/dev\/(pts\/[0-9]+|tty[0-9A-Za-z]*)$/.test(readlinkSync(`/proc/${pid}/fd/${fd}`));
  } catch {
    return false;
  }
}
