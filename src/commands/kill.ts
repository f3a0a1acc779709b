// `supervise kill ID... | --session ID | --all | --port N [--session ID] [--signal SIG] [--grace DUR] [--json]`:
// stop entries the way their wrapper would (first signal, grace, SIGKILL, identity-checked),
// all at once, reason `manual`. Exit 0 when everything asked for is dead, 1 otherwise.
// A ledger that cannot be written does not stop the stop: one warning line says so.

import type { Database } from "bun:sqlite";
import { warnLedgerMovedAside, writeErr, writeJson, writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { loadConfig } from "../config/load.ts";
import { listEntries, type EntryRow } from "../ledger/entries.ts";
import { closeSettingAside, describe, existingLedger, isCorruption, readerFailure } from "../ledger/open.ts";
import { resolveEntries, resolveSessionOption } from "../ledger/resolve.ts";
import { parseSignal, signalName } from "../proc/signals.ts";
import { OUTCOME_SAID } from "../render/stop-outcome.ts";
import { printable, renderTable, type Column } from "../render/table.ts";
import { isTerminal, terminalWidth } from "../cli/terminal.ts";
import { stateDir } from "../state-dir.ts";
import { stopEntries, type StopResult } from "../stop/stop-entry.ts";
import { parseDuration } from "../time/duration.ts";

const FLAGS = { session: { value: true }, all: { short: "a" }, port: { value: true }, signal: { short: "s", value: true }, grace: { short: "g", value: true }, json: {}, config: { value: true } };

export default async function kill(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(signalWords(args), FLAGS);
  const session = stringOption(options, "session");
  const port = stringOption(options, "port");
  // With --port, --session names the caller's session: whose holders are its own.
  const selectors = [positionals.length > 0, session !== undefined && port === undefined, options.all === true, port !== undefined].filter(Boolean).length;
  if (selectors !== 1) throw new UsageError("name what to kill: entry ids, --session ID, --all or --port N (exactly one of them)");
  const signalText = stringOption(options, "signal");
  const graceText = stringOption(options, "grace");
  // Parsed before anything is touched: a bad value changes nothing.
  const signal = signalText === undefined ? undefined : parseSignal(signalText, "--signal").number;
  const graceMs = graceText === undefined ? undefined : parseDuration(graceText, "--grace");

  const dir = stateDir();
  if (port !== undefined) {
    const { config } = await loadConfig({ configPath: stringOption(options, "config"), stateDir: dir });
    const { killPort } = await import("../ports/kill-port.ts");
    return killPort(dir, config, { port, session, json: options.json === true, signal, graceMs });
  }
  const opened = existingLedger(dir, { onMovedAside: warnLedgerMovedAside });
  // Pages found damaged on the read: moved aside as at open, and nothing recorded is left to stop.
  const { db, rows } = opened ? readRows(dir, opened, positionals, session) : { db: null, rows: [] };
  if (!db && positionals.length) throw new UsageError(`no entry '${positionals[0]}'`);
  const running = rows.filter((row) => row.ended_at === null);
  const status = running.length && (await isTerminal(2)) ? liveStatus(running, signal, graceMs) : null;
  const stopped = db ? await stopEntries(db, rows, { reason: "manual", signal, graceMs }).finally(() => status?.stop()) : [];
  const results: KillReport[] = stopped.map(({ id, outcome, signal, durationMs }, i) => ({ id, outcome, signal, durationMs, command: JSON.parse(rows[i]!.command) as string[] }));
  const unrecorded = stopped.filter((r) => r.unrecorded !== undefined);
  if (unrecorded.length) await writeErr(unrecordedLine(unrecorded));
  // The stops went ahead by the rows read; a ledger that turned out corrupt meanwhile is moved aside now.
  const corrupt = unrecorded.find((r) => isCorruption(r.unrecorded));
  if (db && corrupt) closeSettingAside(dir, db, warnLedgerMovedAside);
  await (options.json ? writeJson(results) : writeOut(describeResults(results, await terminalWidth(1))));
  return results.every((r) => r.outcome !== "failed" && r.outcome !== "other-namespace") ? 0 : 1;
}

/**
 * kill(1)'s spelling of the signal, `kill -9 ID` or `kill -TERM ID`, as `--signal`: a dash and
 * a number or an upper-case name (options of ours are lower-case). Up to a `--`.
 */
function signalWords(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, word] of args.entries()) {
    if (word === "--") return [...out, ...args.slice(i)];
    out.push(...(/^-(\d+|(SIG)?[A-Z][A-Z0-9]*)$/.test(word) ? ["--signal", word.slice(1)] : [word]));
  }
  return out;
}

/**
 * On a terminal, one line that says what the stop waits for, rewritten each second and
 * cleared at the end: "stopping 2 entries: TERM sent, SIGKILL in 3s".
 */
function liveStatus(rows: readonly EntryRow[], signal: number | undefined, graceMs: number | undefined): { stop(): void } {
  const started = Date.now();
  const sent = [...new Set(rows.map((row) => (signal === undefined ? row.first_signal : signalName(signal))))].join("/");
  const grace = Math.max(...rows.map((row) => graceMs ?? row.grace_ms ?? Number.POSITIVE_INFINITY));
  const what = `stopping ${rows.length} entr${rows.length === 1 ? "y" : "ies"}: ${sent} sent`;
  const draw = () => {
    const left = grace - (Date.now() - started);
    const tail = !Number.isFinite(grace) ? ", no SIGKILL (--grace none)" : left > 0 ? `, SIGKILL in ${Math.ceil(left / 1000)}s` : ", SIGKILL sent";
    process.stderr.write(`\r\x1b[K${what}${tail}`);
  };
  draw();
  const timer = setInterval(draw, 1000);
  return {
    stop() {
      clearInterval(timer);
      process.stderr.write("\r\x1b[K");
    },
  };
}

/** The rows named; a ledger whose pages fail the read is moved aside (db: null, nothing to stop). */
function readRows(dir: string, db: Database, positionals: readonly string[], session: string | undefined): { db: Database | null; rows: EntryRow[] } {
  try {
    return { db, rows: positionals.length ? resolveEntries(db, positionals) : listEntries(db, { session: resolveSessionOption(db, session) }) };
  } catch (error) {
    if (!isCorruption(error)) throw readerFailure(dir, error);
    closeSettingAside(dir, db, warnLedgerMovedAside);
    return { db: null, rows: [] };
  }
}

type KillReport = Omit<StopResult, "unrecorded"> & { command: string[] };

/** One line for all of them: the stops went ahead, the ledger did not take them. */
function unrecordedLine(results: readonly StopResult[]): string {
  const ids = results.map((r) => r.id).join(", ");
  return `supervise: warning: the ledger could not be written (${printable(describe(results[0]!.unrecorded))}); the stop of ${ids} is not recorded\n`;
}

const COLUMNS: readonly Column[] = [{ title: "ID" }, { title: "RESULT" }, { title: "SIGNAL" }, { title: "COMMAND", flex: true }];

function describeResults(results: readonly KillReport[], width: number | null): string {
  if (results.length === 0) return "nothing to kill\n";
  // A command line is anyone's text: renderTable escapes it as `ls` shows it, never raw to the terminal.
  return renderTable(COLUMNS, results.map((r) => [r.id, OUTCOME_SAID[r.outcome], r.signal ?? "-", r.command.join(" ")]), width);
}
