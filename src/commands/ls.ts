// `supervise ls [--all] [--session ID] [--json]`: the ledger's entries, states computed live.

import { writeOut } from "../cli/output.ts";
import { colorEnabled, terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { listEntries } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { resolveSession } from "../ledger/resolve.ts";
import { readLiveStates } from "../entry/liveness.ts";
import { toJson, type EntryJson } from "../entry/view.ts";
import { stateDir } from "../state-dir.ts";

export default async function ls(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { all: { short: "a" }, session: { value: true }, json: {} });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const dir = stateDir();
  const entries = await readingLedger(dir, () => readEntries(dir, options.all === true, stringOption(options, "session")));
  if (options.json) {
    await writeOut(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    await writeOut(options.all ? "no entries\n" : "nothing running (supervise ls --all lists finished entries)\n");
    return 0;
  }
  // The table's modules are loaded only for a person: `ls --json` is what agents poll.
  const { renderEntries } = await import("../render/entries.ts");
  const text = renderEntries(entries, Date.now(), await terminalWidth(1), await colorEnabled(1));
  await writeOut(text);
  return 0;
}

async function readEntries(dir: string, all: boolean, session: string | undefined): Promise<EntryJson[]> {
  const db = existingLedger(dir);
  // A session by the prefix ls shows, else exit 2 naming it.
  const named = session === undefined ? undefined : resolveSession(db, session);
  if (!db) return [];
  const rows = listEntries(db, { all, session: named });
  const states = await readLiveStates(rows);
  return rows.map((row, i) => toJson(row, states[i]));
}
