// `supervise install [--user | --project] [--uninstall] [--dry-run]`: add (or remove) exactly
// supervise's hooks in Claude Code's settings, keeping everything else; idempotent; a backup
// of the previous file first; a file that is not valid JSON is refused and left untouched.

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeErr, writeOut } from "../cli/output.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { selfCommand } from "../hooks/self.ts";
import { shellQuote } from "../render/shell-quote.ts";
import { SettingsShapeError, supervisorGroups, withSupervisorHooks, type Json } from "../install/settings.ts";
import { homeDirectory } from "../state-dir.ts";

export default async function install(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { user: {}, project: {}, uninstall: {}, "dry-run": {} });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (options.user && options.project) throw new UsageError("--user and --project exclude each other");
  const path = options.project ? join(process.cwd(), ".claude", "settings.json") : join(process.env.CLAUDE_CONFIG_DIR || join(process.env.HOME || homeDirectory(), ".claude"), "settings.json");

  const before = readSettings(path);
  let after: Json;
  try {
    after = withSupervisorHooks(before.data, options.uninstall ? null : supervisorGroups(hookCommandPrefix()));
  } catch (error) {
    if (error instanceof SettingsShapeError) throw new UsageError(`${path}: ${error.message}; not changed`);
    throw error;
  }
  const text = `${JSON.stringify(after, null, 2)}\n`;
  const verb = options.uninstall ? "removed supervise's hooks from" : "installed supervise's hooks in";

  if (options["dry-run"]) {
    await writeOut(text);
    await writeErr(before.text !== null && JSON.stringify(before.data) === JSON.stringify(after) ? `supervise: ${path}: nothing would change\n` : `supervise: dry run: would have ${verb} ${path}\n`);
    return 0;
  }
  if (before.text !== null && JSON.stringify(before.data) === JSON.stringify(after)) {
    await writeOut(`${path}: nothing to change\n`);
    return 0;
  }
  const backup = before.text !== null ? backUp(path) : null;
  writeAtomically(path, text);
  await writeOut(`${verb} ${path}${backup ? ` (previous file: ${backup})` : ""}\n`);
  return 0;
}

/** Hooks run in Claude Code's environment: an explicit state dir and config are written in. */
function hookCommandPrefix(): string {
  const { bun, cli } = selfCommand();
  const env: string[] = [];
  for (const name of ["SUPERVISE_HOME", "SUPERVISE_CONFIG"]) {
    const value = process.env[name];
    if (value) env.push(`${name}=${shellQuote(value)}`);
  }
  return [...env, shellQuote(bun), shellQuote(cli)].join(" ");
}

function readSettings(path: string): { data: Json; text: string | null } {
  if (!existsSync(path)) return { data: {}, text: null };
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return { data: {}, text };
  try {
    return { data: JSON.parse(text) as Json, text };
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (${(error as Error).message}); not changed`);
  }
}

function backUp(path: string): string {
  const target = `${path}.supervise-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  copyFileSync(path, target);
  return target;
}

/** Write beside, then rename: a crash never leaves half a settings file. Keeps the old mode. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
  const temp = `${path}.supervise-${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}
