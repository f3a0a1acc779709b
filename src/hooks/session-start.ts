// SessionStart: sweep what earlier sessions leaked, and tell the agent what was found.
// Always answers with valid hook JSON and exit 0; a problem costs one stderr line.

import type { Config } from "../config/defaults.ts";
import { loadConfig } from "../config/load.ts";
import type { EntryRow } from "../ledger/entries.ts";
import { cleanedCount, type ReapReport } from "../reap/report.ts";
import { sweep } from "../reap/sweep.ts";
import { shellQuote } from "../render/shell-quote.ts";
import { cut, printable } from "../render/table.ts";
import { openLedger } from "../ledger/open.ts";
import { recordSession } from "../ledger/sessions.ts";
import { agentRow, type AgentName } from "../ownership/agents.ts";
import { hookAgent } from "../ownership/hook-agent.ts";
import { provenGoneNow } from "../ownership/recorded-sessions.ts";
import { bootId } from "../proc/boot.ts";
import { workingDirectory } from "../cwd.ts";
import { ensureStateDir, stateDir } from "../state-dir.ts";
import { formatDuration } from "../time/duration.ts";
import { answer, note } from "./answer.ts";
import { readHookInput, stringField } from "./input.ts";
import { readNow } from "../proc/facts.ts";

export interface SessionStartOutput {
  hookSpecificOutput: { hookEventName: "SessionStart"; additionalContext?: string };
  systemMessage?: string;
}

/** At most this many still-running commands (and ended leftovers) are listed by name in the context. */
const LISTED = 10;

/** Told to the agent at every session start: a server it starts "to keep running" would otherwise surprise it. */
export const SESSION_RULE =
  "Under supervise, what this session starts is ended when the session ends (or at the next session's start, if the agent dies first), unless it is started with SUPERVISE_KEEP=1 in its environment. " +
  "A background command has no time limit until then (hooks.deadline, default none), and what it leaves running with & lives on until then too.";

/** How to free a port without ending another's server; the session's id in it, since not every agent puts one in its shell's environment. */
export function portRule(session: string | null): string {
  const scope = session === null ? "" : ` --session ${shellQuote(printable(session))}`;
  return `To free a port, run \`supervise kill --port N${scope}\`: it ends only this session's holder and names any other owner, where pkill, killall, fuser -k or kill $(lsof -ti:N) would end whatever matches.`;
}

/** Everything the agent is told at its session's start, after the findings. */
export function sessionRules(session: string | null): string {
  return `${SESSION_RULE} ${portRule(session)}`;
}

/** The session record waits for the ledger at most this share of reap.timeoutMs; the sweep gets what is left. */
const RECORD_SHARE = 0.1;

export async function sessionStartHook(agent: AgentName): Promise<void> {
  const input = await readHookInput("session-start");
  if (input.problem) await note(`${input.problem}; sweeping anyway`);
  const dir = stateDir();
  // A removed working directory still names where the agent runs (and has no project file below it).
  const cwd = stringField(input.data, "cwd") ?? workingDirectory().path;
  let config: Config;
  try {
    ({ config } = await loadConfig({ stateDir: dir, cwd }));
  } catch (error) {
    // Reaping with defaults could end what the user's config protects: skip the sweep.
    await note(`${(error as Error).message}; not reaping`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" }, systemMessage: `supervise: ${(error as Error).message}` });
    return;
  }
  const session = stringField(input.data, "session_id");
  const started = Date.now();
  if (session) await recordThisSession(dir, agent, session, cwd, Math.floor(config.reap.timeoutMs * RECORD_SHARE));
  try {
    const { report, running } = await sweep({ config: withinBudget(config, started), stateDir: dir, dryRun: false, session: null, trigger: "session-start", triggerSession: session });
    if (report.errors.length) await note(report.errors.join("; "));
    await answer(sessionStartOutput(report, running, config, Date.now(), session));
  } catch (error) {
    await note(`reap failed: ${(error as Error).message}`);
    await answer({ hookSpecificOutput: { hookEventName: "SessionStart" } });
  }
}

/** The config with reap.timeoutMs cut to what the record left of it: record and sweep share one budget. */
function withinBudget(config: Config, started: number): Config {
  const left = Math.max(1, config.reap.timeoutMs - (Date.now() - started));
  return left === config.reap.timeoutMs ? config : { ...config, reap: { ...config.reap, timeoutMs: left } };
}

/**
 * The session and the agent process that runs it, so that its leftovers can be proven
 * ownerless once that process is gone, also where they carry no owner pid of their own.
 * It joins the owners the session already has (a resume while the first agent runs); those
 * proven gone now are dropped. A ledger held by another writer past `busyTimeoutMs` costs
 * the record, not the sweep.
 */
async function recordThisSession(dir: string, agentName: AgentName, session: string, cwd: string, busyTimeoutMs: number): Promise<void> {
  const row = agentRow(agentName);
  const agent = hookAgent(row, process.env);
  // Run by hand, or under a launcher we cannot see through: nothing to record, nothing wrong.
  if (!agent) return;
  try {
    const { db } = openLedger(ensureStateDir(dir), { busyTimeoutMs });
    const own = readNow.pidNamespace("self");
    const record = {
      agent: row.agent,
      session,
      boot_id: bootId(),
      owner_pid: agent.pid,
      owner_start_ticks: agent.startTicks,
      pid_namespace: own,
      cwd,
      started_at: Date.now(),
    };
    recordSession(db, record, (owner) => provenGoneNow(owner, own));
    db.close();
  } catch (error) {
    await note(`session not recorded: ${(error as Error).message}`);
  }
}

export function sessionStartOutput(report: ReapReport, running: readonly EntryRow[], config: Config, now: number, session: string | null = null): SessionStartOutput {
  const output: SessionStartOutput = { hookSpecificOutput: { hookEventName: "SessionStart" } };
  const findings = describeFindings(report, running, now);
  const rules = sessionRules(session);
  output.hookSpecificOutput.additionalContext = findings ? `${findings} ${rules}` : rules;
  const cleaned = cleanedCount(report.counts);
  if (cleaned > config.reap.notifyAbove) {
    output.systemMessage = `supervise reaped ${cleaned} leaked processes at session start (more than reap.notifyAbove = ${config.reap.notifyAbove}); see \`supervise stats\`.`;
  }
  return output;
}

/** One paragraph, or null when there is nothing to say. */
export function describeFindings(report: ReapReport, running: readonly EntryRow[], now: number): string | null {
  const sentences: string[] = [];
  const acted = report.targets.filter((t) => t.action !== "zombie");
  if (acted.length) {
    const byReason = new Map<string, number>();
    for (const t of acted) byReason.set(t.reason, (byReason.get(t.reason) ?? 0) + 1);
    const reasons = [...byReason].map(([reason, n]) => `${n} ${reason}`).join(", ");
    const cleaned = cleanedCount(report.counts);
    const named = acted.slice(0, LISTED).map((t) => `${short(t.command || t.name)} (${t.reason})`);
    const more = acted.length > LISTED ? ` and ${acted.length - LISTED} more` : "";
    sentences.push(`supervise ended ${cleaned} process${cleaned === 1 ? "" : "es"} leaked by earlier sessions (${reasons}): ${named.join("; ")}${more}.`);
    if (report.counts.failed) sentences.push(`${report.counts.failed} could not be ended; \`supervise reap --dry-run\` lists them.`);
  }
  if (report.counts.zombies) sentences.push(`${report.counts.zombies} zombie process${report.counts.zombies === 1 ? " is" : "es are"} left for their parent to collect.`);
  if (running.length) {
    const listed = running.slice(0, LISTED).map((row) => `${row.id} (${row.name ?? commandText(row)}, running ${formatDuration(now - row.started_at)})`);
    const more = running.length > LISTED ? ` and ${running.length - LISTED} more` : "";
    sentences.push(`Still running under supervise for this user: ${listed.join("; ")}${more}. \`supervise ls\` shows them; \`supervise kill ID\` stops one.`);
  }
  return sentences.length ? sentences.join(" ") : null;
}

function commandText(row: EntryRow): string {
  try {
    return short((JSON.parse(row.command) as string[]).join(" "));
  } catch {
    return row.command;
  }
}

/** A command as the agent is told it: one short line. */
function short(text: string): string {
  return cut(text, 60);
}
