// `supervise ls [--all] [--session ID] [--state STATE] [--json]`: the ledger's entries, states computed live.

import { writeJson, writeOut } from "../cli/output.ts";
import { colorEnabled, terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { listEntries, type EntryState } from "../ledger/entries.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { resolveSessionOption } from "../ledger/resolve.ts";
import { readLiveStates } from "../entry/liveness.ts";
import { toJson, type EntryJson } from "../entry/view.ts";
import { stateDir } from "../state-dir.ts";

export default async function ls(args: string[]): Promise<number> {
  const { options, lists } = parseOptions(args, { all: { short: "a" }, session: { value: true }, state: { value: true }, json: {} }, { positionals: 0 });
  const states = wantedStates(lists.state ?? []);
  const dir = stateDir();
  // A state that is not "running" is looked for among the finished entries too.
  const all = options.all === true || (states !== null && [...states].some((s) => s !== "running"));
  const read = await readingLedger(dir, () => readEntries(dir, all, stringOption(options, "session")));
  const entries = states === null ? read : read.filter((e) => states.has(e.state));
  if (options.json) {
    await writeJson(entries);
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

const STATES: readonly EntryState[] = ["running", "exited", "killed", "orphaned", "lost", "unknown"];

/** `--state` given as often as wanted, each a state or a comma list of them; null: any state. */
function wantedStates(values: readonly string[]): Set<EntryState> | null {
  if (values.length === 0) return null;
  const wanted = new Set<EntryState>();
  for (const word of values.flatMap((v) => v.split(","))) {
    if (!(STATES as readonly string[]).includes(word)) throw new UsageError(`invalid state for --state: ${JSON.stringify(word)} (one of ${STATES.join(", ")})`);
    wanted.add(word as EntryState);
  }
  return wanted;
}

async function readEntries(dir: string, all: boolean, session: string | undefined): Promise<EntryJson[]> {
  const db = existingLedger(dir);
  // A session by the prefix ls shows, else exit 2 naming it.
  const named = resolveSessionOption(db, session);
  if (!db) return [];
  const rows = listEntries(db, { all, session: named });
  const states = await readLiveStates(rows);
  return rows.map((row, i) => toJson(row, states[i]));
}
