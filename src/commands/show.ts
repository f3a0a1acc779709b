// `supervise show ID [--json]`: one entry, every field, and its live process tree.

import { writeJson, writeOut } from "../cli/output.ts";
import { colorEnabled, terminalWidth } from "../cli/terminal.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { entryDetail } from "../entry/detail.ts";
import { readingLedger } from "../ledger/open.ts";
import { openEntry } from "../ledger/resolve.ts";
import { currentState } from "../entry/liveness.ts";
import { renderDetail } from "../render/entry-detail.ts";
import { stateDir } from "../state-dir.ts";

export default async function show(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { json: {} }, { positionals: 1, missing: "missing entry id (usage: supervise show ID [--json])" });
  const dir = stateDir();
  const detail = await readingLedger(dir, async () => {
    const { row } = openEntry(dir, positionals[0]!);
    return entryDetail(row, currentState(row), dir);
  });
  await (options.json ? writeJson(detail) : writeOut(renderDetail(detail, await terminalWidth(1), await colorEnabled(1))));
  return 0;
}
