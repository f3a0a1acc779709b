// SessionEnd: end what the ending agent owns of its session: its supervised commands and its
// unsupervised leftovers (orphans carrying its id, and what runs below them), inside Claude
// Code's 1.5 s budget for all SessionEnd hooks. The hook sends the first signals itself
// (stop/session.ts begin) and hands exactly what it signalled to a fully detached follow-up
// (own session, stdio closed) for the grace period and SIGKILL, so it returns in
// milliseconds. SessionEnd is not always fired: the SessionStart sweep stays the safety net.

import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { existingLedger } from "../ledger/open.ts";
import { openLog, openPinoLog } from "../log.ts";
import { agentRow, type AgentName } from "../ownership/agents.ts";
import { hookAgent } from "../ownership/hook-agent.ts";
import { ownLineage } from "../proc/signal.ts";
import { stateDir } from "../state-dir.ts";
import { planNow } from "../reap/sweep.ts";
import { beginSessionEnd, finishSessionEnd, parseSignalledArgs, signalledArgs } from "../stop/session.ts";
import { answer, note } from "./answer.ts";
import { readHookInput, stringField } from "./input.ts";
import { spawnDetachedSelf } from "./self.ts";

/** SessionEnd has no decision control: its answer is always `{}`, whatever happened, for every agent. */
export async function sessionEndHook(agent: AgentName): Promise<void> {
  try {
    await endSession(agent);
  } finally {
    await answer({});
  }
}

async function endSession(agentName: AgentName): Promise<void> {
  const input = await readHookInput("session-end");
  const session = stringField(input.data, "session_id");
  // Which session, and why it ended, must be as the agent said: otherwise end nothing.
  const unsure = input.problem && (input.dropped.length === 0 || input.dropped.includes("session_id") || input.dropped.includes("reason"));
  if (unsure) return void (await note(`${input.problem}; nothing ended`));
  if (!session) return void (await note("no session_id in the SessionEnd input; nothing ended"));
  if (input.problem) await note(input.problem);
  const reason = stringField(input.data, "reason") ?? "other";
  const cwd = stringField(input.data, "cwd") ?? process.cwd();
  try {
    const dir = stateDir();
    const { config } = await loadConfig({ stateDir: dir, cwd });
    // clear and resume end a session but not the process: commands may live on.
    if (!config.hooks.sessionEndKillOn.includes(reason)) return;
    // Two live CLIs can share a session id (a resumed open session): only this one's is ended.
    const agent = hookAgent(agentRow(agentName), process.env);
    const db = existingLedger(dir);
    const lineage = ownLineage();
    // Null when the hook cannot find its agent: then every owner alive counts as another agent.
    const scope = { session: null, ending: session, endingAgent: agent?.pid ?? null, lineage: lineage.pids };
    const signalled = beginSessionEnd(db, config, (await planNow(db, config, scope)).plan, lineage);
    // One line even when nothing runs: the log is how a user checks that SessionEnd fired.
    const leftovers = signalled.leftovers.map((p) => p.pid);
    openLog(dir).info({ session, reason, agent: agent?.pid ?? null, stopping: signalled.entries, leftovers }, "session end");
    if (signalled.entries.length || signalled.leftovers.length) spawnDetachedSelf(["hook", "session-end-follow-up", session, cwd, ...signalledArgs(signalled)]);
  } catch (error) {
    await note(`session-end: ${(error as Error).message}`);
  }
}

/** `hook session-end-follow-up SESSION CWD entry:ID... process:BOOT:PID:TICKS...`: the grace period and SIGKILL for what the hook signalled. */
export async function sessionEndFollowUp(args: string[]): Promise<void> {
  const [session, cwd, ...identities] = args;
  if (!session || !cwd) throw new UsageError("session-end-follow-up needs a session id and the session's cwd");
  const signalled = parseSignalledArgs(identities);
  const dir = stateDir();
  const { config } = await loadConfig({ stateDir: dir, cwd });
  const finished = await finishSessionEnd(existingLedger(dir), config, session, signalled, ownLineage());
  // Gone: the hook's own signal ended it, and the hook's line lists it.
  const ended = finished.leftovers.filter((l) => l.report.outcome !== "gone");
  if (ended.length === 0) return;
  // The detached follow-up: no one waits for it, so pino itself writes its lines.
  const log = await openPinoLog(dir);
  for (const { identity, name, report } of ended) {
    log.info({ session, pid: identity.pid, name, reason: "session-end", action: report.outcome }, "session leftover ended");
  }
}
