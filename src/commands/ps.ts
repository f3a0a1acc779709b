// `supervise ps [--session ID] [--port N] [--json]`: every process of this user that belongs to
// an agent session or to a supervise entry, grouped by session, supervised or not: how a user
// sees a leak before any sweep ends it. With --port, the holders of that port, whoever they are.

import { writeErr, writeJson, writeOut } from "../cli/output.ts";
import { colorEnabled, terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { matchSession } from "../ledger/resolve.ts";
import { ownedNow } from "../ownership/owned-now.ts";
import { stateDir } from "../state-dir.ts";
import { unseenLine } from "../ports/decide.ts";
import { findPortHolders, parsePort } from "../ports/holders.ts";

export default async function ps(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { session: { value: true }, port: { value: true }, json: {}, config: { value: true } }, { positionals: 0 });
  const session = stringOption(options, "session");
  const portText = stringOption(options, "port");
  const port = portText === undefined ? null : parsePort(portText);
  if (portText !== undefined && port === null) throw new UsageError(`--port: not a port (1-65535): '${portText}'`);
  const dir = stateDir();
  const { config } = await loadConfig({ configPath: stringOption(options, "config"), stateDir: dir });
  const holders = port === null ? null : findPortHolders(port);
  const { rows: listed } = await ownedNow(dir, config, undefined, holders ? new Set(holders.pids) : undefined);
  const owned = holders ? listed.filter((row) => holders.pids.includes(row.pid)) : listed;
  if (holders?.unseen.length) await writeErr(holders.unseen.map((socket) => `supervise: ${unseenLine(holders.port, socket.uid)}\n`).join(""));
  // A session by the prefix ls shows; one no process has lists nothing.
  const named = session === undefined ? undefined : (matchSession(owned.flatMap((row) => (row.session === null ? [] : [row.session])), session) ?? session);
  const rows = owned.filter((row) => named === undefined || row.session === named);
  if (options.json) {
    await writeJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    await writeOut(port !== null ? (holders!.unseen.length ? "" : `nothing listens on port ${port}\n`) : session === undefined ? "no process belongs to an agent session or a supervise entry\n" : `no process of session ${session}\n`);
    return 0;
  }
  const { renderOwnedProcesses } = await import("../render/processes.ts");
  await writeOut(renderOwnedProcesses(rows, await terminalWidth(1), await colorEnabled(1)));
  return 0;
}
