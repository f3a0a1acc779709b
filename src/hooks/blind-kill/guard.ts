// The blind-kill guard of the pre-tool-use hook: a shell command that signals by name or by
// port is answered as hooks.blindKill says (ask the user, or deny), with a reason naming what
// it would hit now. It passes when everything it would hit is the calling session's own, or a
// leftover whose owner is provably gone: what `supervise kill --port` would end too.

import type { Config } from "../../config/defaults.ts";
import { existingLedger } from "../../ledger/open.ts";
import { ownedNow } from "../../ownership/owned-now.ts";
import { whoseProcess, type Caller } from "../../ports/decide.ts";
import { decideAll } from "../../ports/free.ts";
import { shellQuote } from "../../render/shell-quote.ts";
import { printable } from "../../render/table.ts";
import { lastingAncestors, measure } from "./hits.ts";
import { findBlindKills, type BlindKill } from "./parse.ts";

export interface Hits {
  /** What it would end that is not the session's own, each said as one phrase. */
  others: string[];
  /** How many of the session's own processes it would end too. */
  own: number;
  /** How many of the hits are of a supervise entry no agent session started: `kill --port` ends those too. */
  sessionless?: number;
  unknown: string[];
  unseenUids: number[];
}

/** Why the call is asked about or refused; null when it passes (no blind kill, or it hits only what is ours). */
export async function blindKillReason(command: string, dir: string, config: Config, caller: Caller): Promise<string | null> {
  const kills = findBlindKills(command, process.env);
  if (kills.length === 0) return null;
  const hits = await measureHits(kills, dir, config, caller);
  if (hits.others.length === 0 && hits.unknown.length === 0 && hits.unseenUids.length === 0) return null;
  return reasonText(kills, hits, caller.session);
}

async function measureHits(kills: readonly BlindKill[], dir: string, config: Config, caller: Caller): Promise<Hits> {
  const ancestors = new Set(lastingAncestors());
  const measured = measure(kills.flatMap((kill) => kill.targets), new Set([process.pid]));
  const { rows } = await ownedNow(dir, config, undefined, new Set(measured.pids));
  const hit = rows.filter((row) => measured.pids.includes(row.pid));
  const db = hit.some((row) => row.ledgerId !== null) ? existingLedger(dir) : null;
  const others: string[] = [];
  let own = 0;
  let sessionless = 0;
  for (const { row, decision, proof } of decideAll(db, hit, caller)) {
    if (ancestors.has(row.pid)) others.push(`pid ${row.pid} "${printable(row.command.slice(0, 60))}", which runs this agent`);
    else if (decision.end && (proof === "own-session" || proof === "owner-gone")) own++;
    else if (decision.end && proof === "sessionless-entry") {
      sessionless++;
      others.push(`${whoseProcess(row, "no-proof").who}, which no agent session started`);
    } else others.push(whoseProcess(row, decision.end ? "no-proof" : decision.why).who);
  }
  return { others, own, sessionless, unknown: measured.unknown, unseenUids: measured.unseenUids };
}

/** How many hits are named before "and N more". */
const NAMED_MAX = 4;

/**
 * `supervise: \`pkill -f vite\` would end pid 812 "vite" of live Claude Code session 3f2a1b9c…
 * (pid 777) and pid 99 "node", not started by any agent session or supervise entry; supervise
 * kill --port 5173 --session S ends only this session's server`.
 */
export function reasonText(kills: readonly BlindKill[], hits: Hits, session: string | null): string {
  const what = kills.map((kill) => `\`${printable(kill.text.length > 80 ? `${kill.text.slice(0, 77)}...` : kill.text)}\``).join(", ");
  const named = [...hits.others.slice(0, NAMED_MAX), ...hits.unseenUids.map((uid) => `a process of uid ${uid} that supervise cannot read`)];
  if (hits.others.length > NAMED_MAX) named.push(`${hits.others.length - NAMED_MAX} more not this session's`);
  const parts: string[] = [];
  if (named.length > 0) parts.push(`would ${hits.own > 0 ? "also " : ""}end ${joined(named)}`);
  if (hits.unknown.length > 0) parts.push(`${parts.length > 0 ? "and " : ""}cannot be checked: supervise cannot tell ${joined(hits.unknown)}`);
  const ports = [...new Set(kills.flatMap((kill) => kill.targets.flatMap((t) => (t.kind === "port" ? [t.port] : []))))];
  const scope = session === null ? "" : ` --session ${shellQuote(printable(session))}`;
  const instead =
    ports.length > 0
      ? ports.map((port) => `supervise kill --port ${port}${scope}`).join(" and ") +
        // kill --port ends a supervise entry of no session too: the agent is told so, not promised otherwise.
        (hits.sessionless ? ` ends this session's ${ports.length > 1 ? "servers" : "server"}, and the supervise ${hits.sessionless > 1 ? "entries" : "entry"} no agent session started too` : ` ends only this session's ${ports.length > 1 ? "servers" : "server"}`) +
        ` (supervise ps --port ${ports[0]} names each holder)`
      : "supervise ps lists each process with the session that owns it; kill PID ends one you know is this session's";
  return `supervise: ${what} signals by name or port: it ${parts.join(" ")}; ${instead}`;
}

function joined(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
