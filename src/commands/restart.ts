// `supervise restart ID`: the entry's recorded command again, in its recorded working
// directory, with its recorded deadline, grace, first signal, session, name and keep options.
// It is a new entry (the wrapper runs in the foreground, as `run` does); one without a name
// is named after the entry it restarts. The environment is this one's: the ledger keeps none.

import { UsageError } from "../errors.ts";
import { type EntryRow } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { resolveEntry } from "../ledger/resolve.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { printable } from "../render/table.ts";
import { stateDir } from "../state-dir.ts";
import { RUN_USAGE_EXIT } from "../run/options.ts";

export default async function restart(args: string[]): Promise<number> {
  const { positionals } = parseOptions(args, {});
  if (positionals.length !== 1) throw new UsageError("name one entry: supervise restart ID");
  const dir = stateDir();
  const row = await readingLedger(dir, async () => {
    const db = existingLedger(dir);
    if (!db) throw new UsageError(`no entry '${positionals[0]}'`);
    return resolveEntry(db, positionals[0]!);
  });
  const command = JSON.parse(row.command) as string[];
  try {
    process.chdir(row.cwd);
  } catch (error) {
    throw new UsageError(`cannot restart ${row.id}: its working directory ${row.cwd} is gone`, { exitCode: RUN_USAGE_EXIT, cause: error });
  }
  process.stderr.write(`supervise: restarting ${row.id}: ${printable(command.join(" "))}\n`);
  const { default: run } = await import("./run.ts");
  return run([...runOptionsOf(row), "--", ...command]);
}

/** The options `run` was given, as the row recorded them. */
export function runOptionsOf(row: Pick<EntryRow, "id" | "deadline_at" | "started_at" | "grace_ms" | "first_signal" | "name" | "session" | "keep_orphaned" | "session_bound">): string[] {
  const options = [
    "--deadline", row.deadline_at === null ? "none" : `${Math.max(1, row.deadline_at - row.started_at)}ms`,
    "--grace", row.grace_ms === null ? "none" : `${row.grace_ms}ms`,
    "--signal", row.first_signal,
    "--name", row.name ?? `restart of ${row.id}`,
  ];
  if (row.session !== null) options.push("--session", row.session);
  if (row.keep_orphaned === 1) options.push("--keep-orphaned");
  if (row.session_bound === 1 && row.session !== null) options.push("--session-bound");
  return options;
}
