// `supervise kill --port N [--session ID]`: what freePort did, as lines or JSON; exit 0 only
// when every holder was ended and nothing listens on the port any more.

import { writeErr, writeJson, writeOut } from "../cli/output.ts";
import type { Config } from "../config/defaults.ts";
import { SuperviseError, UsageError } from "../errors.ts";
import { existingLedger, readingLedger } from "../ledger/open.ts";
import { sessionsOfBoot } from "../ledger/sessions.ts";
import { sessionCookieOf } from "../ownership/cookie.ts";
import { ancestorsOf } from "../ownership/hook-agent.ts";
import { bootId } from "../proc/boot.ts";
import { type ProcStat } from "../proc/stat.ts";
import { OUTCOME_SAID } from "../render/stop-outcome.ts";
import { printable } from "../render/table.ts";
import type { StopOutcome } from "../stop/stop-entry.ts";
import { freePort, type HolderReport, type PortReport } from "./free.ts";
import { parsePort } from "./holders.ts";
import { readNow } from "../proc/facts.ts";

export interface KillPortOptions {
  port: string;
  /** --session: the caller's session, instead of its environment's cookie. */
  session: string | undefined;
  json: boolean;
  signal?: number;
  graceMs?: number;
}

export async function killPort(dir: string, config: Config, options: KillPortOptions): Promise<number> {
  const port = parsePort(options.port);
  if (port === null) throw new UsageError(`--port: not a port (1-65535): '${options.port}'`);
  const ancestors = ancestorsOf(process.pid, readNow.stat);
  const { session, agent, agentPid } = await claimedSession(dir, options.session, ancestors);
  const report = await freePort(dir, config, port, { caller: { session, agent, agentPid, uid: process.getuid!(), ancestors: new Set(ancestors.map((p) => p.pid)) }, signal: options.signal, graceMs: options.graceMs });
  if (options.json) await writeJson(report);
  else await writeReport(report);
  const refused = report.holders.some((h) => h.outcome === "refused" || h.outcome === "failed" || h.outcome === "other-namespace");
  return refused || !report.free ? 1 : 0;
}

/**
 * The caller's session: --session's exact id, else its environment's cookie. Never a prefix: an
 * agent refused for "session 3f2a1b9c…" must not claim that session by repeating it; where the
 * environment names a session, --session may only repeat it; where it names none (Gemini CLI's
 * shells), the claim holds only when that session's agent is one of the caller's ancestors.
 */
async function claimedSession(dir: string, named: string | undefined, ancestors: readonly ProcStat[]): Promise<{ session: string | null; agent: string | null; agentPid: number | null }> {
  const own = callerSession();
  if (named === undefined) return own ?? { session: null, agent: null, agentPid: null };
  if (named === "") throw new UsageError("--session: empty (with --port it is the caller's own session's full id)");
  if (own !== null && named !== own.session) throw new UsageError(`--session '${printable(named)}' is not this environment's session '${printable(own.session)}': kill --port ends only the caller's own holders`);
  if (own !== null) return own;
  const above = await agentAbove(dir, named, ancestors);
  if (above === null) throw new SuperviseError(`--session '${printable(named)}': no process this one runs under is that session's agent, as its SessionStart hook recorded it; kill --port ends only the caller's own holders`);
  return { session: named, agent: above.agent, agentPid: above.pid };
}

/** The agent process (its name and pid) that the ledger recorded for `session` as one of `ancestors`, this process's (pid and start time, this boot, this pid namespace); null for none. */
async function agentAbove(dir: string, session: string, ancestors: readonly ProcStat[]): Promise<{ agent: string; pid: number } | null> {
  const namespace = readNow.pidNamespace("self");
  return readingLedger(dir, async () => {
    const db = existingLedger(dir);
    if (!db) return null;
    try {
      for (const owners of sessionsOfBoot(db, bootId()).values()) {
        for (const row of owners) {
          if (row.session !== session || row.pid_namespace !== namespace) continue;
          if (ancestors.some((a) => a.pid === row.owner_pid && a.startTicks === row.owner_start_ticks)) return { agent: row.agent, pid: row.owner_pid };
        }
      }
      return null;
    } finally {
      db.close();
    }
  });
}

/** The session the caller's own environment names (Claude Code's and Codex's cookies), with its agent; null outside one. */
function callerSession(): { session: string; agent: string; agentPid: null } | null {
  const environ = Object.entries(process.env).map(([name, value]) => `${name}=${value}`).join("\0");
  const cookie = sessionCookieOf(environ);
  return cookie ? { session: cookie.session, agent: cookie.agent, agentPid: null } : null;
}

async function writeReport(report: PortReport): Promise<void> {
  const said = [...report.holders.flatMap((h) => (h.said ? [h.said] : [])), ...report.unseen.map((u) => u.said)];
  if (said.length) await writeErr(said.map((line) => `${line}\n`).join(""));
  const ended = report.holders.filter((h) => h.outcome !== "refused").map((h) => `${endedLine(h)}\n`);
  const nothing = report.holders.length === 0 && report.unseen.length === 0;
  await writeOut(`${ended.join("")}${nothing ? `nothing listens on port ${report.port}\n` : report.free ? `port ${report.port} is free\n` : `port ${report.port} is still held\n`}`);
}

function endedLine(h: HolderReport): string {
  const of = h.ledgerId ? ` (entry ${h.ledgerId})` : h.session ? ` (session ${printable(h.session)})` : "";
  return `pid ${h.pid} "${printable(h.command.length > 60 ? `${h.command.slice(0, 57)}...` : h.command)}"${of}: ${OUTCOME_SAID[h.outcome as StopOutcome]}`;
}
