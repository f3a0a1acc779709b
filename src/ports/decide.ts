// Whether `supervise kill --port` may end a port's holder, asked of the lifecycle policy on
// the port path, and the one line that names the owner of a holder it leaves.

import type { EntryRow } from "../ledger/entries.ts";
import { keepsOrphans } from "../ledger/entries.ts";
import type { ShownProcess } from "../ownership/owned-now.ts";
import { mayEnd, type Decision, type NotEnded, type Proof, type Subject, type Tie } from "../policy/lifecycle.ts";
import { printable } from "../render/table.ts";

const AGENT_NAMES: Record<string, string> = { "claude-code": "Claude Code", gemini: "Gemini CLI", codex: "Codex" };

/** The caller: its own session (its cookie, or --session), and its uid. */
export interface Caller {
  session: string | null;
  /** The agent whose session it is, where known: a session is one agent's (two agents may use one id). */
  agent?: string | null;
  /** The agent process a --session claim was proven by (its recorded owner above the caller): a holder of that session is the caller's only when that process is its owner too. */
  agentPid?: number | null;
  uid: number;
  /** The caller's ancestors' pids (its shell, the agent CLI): never ours to end. */
  ancestors?: ReadonlySet<number>;
}

export function holderSubject(row: ShownProcess, entry: EntryRow | null, caller: Caller): Subject {
  const tie: Tie = entry ? (entry.pgid !== null && row.pgid === entry.pgid ? "group" : "escape") : row.session !== null ? "session-leftover" : "unowned";
  // A holder of an entry is stopped as its entry (its whole group): it is the caller's only when the entry is the caller's session's, whatever session the process itself names (a second agent run inside another session's entry).
  const own =
    caller.session !== null &&
    row.session === caller.session &&
    (entry === null || entry.session === caller.session) &&
    (caller.agent == null || row.agent === null || row.agent === caller.agent) &&
    (caller.agentPid == null || row.ownerPid === caller.agentPid);
  return {
    tie,
    kept: row.keptBy,
    keepOrphaned: entry !== null && keepsOrphans(entry),
    sessionBound: entry?.session_bound === 1,
    otherLiveOwner: !own && row.session !== null && row.owner === "alive",
    sameNamespace: row.pidNamespace === "same" ? true : row.pidNamespace === "other" ? false : null,
    sameUser: row.uid === null ? null : row.uid === caller.uid,
    ender: caller.ancestors?.has(row.pid) === true,
    proof: proofOf(row, entry, own),
  };
}

function proofOf(row: ShownProcess, entry: EntryRow | null, own: boolean): Proof | null {
  if (own) return "own-session";
  if (row.session !== null && row.owner === "gone" && (entry === null || entry.session === row.session)) return "owner-gone";
  if (entry !== null && entry.session === null && row.session === null) return "sessionless-entry";
  return null;
}

export function decideHolder(row: ShownProcess, entry: EntryRow | null, caller: Caller): Decision {
  return mayEnd("port", holderSubject(row, entry, caller));
}

const KEPT_BY: Record<string, string> = {
  "keep-var": "SUPERVISE_KEEP=1",
  "session-keep": "reap.sessionKeep",
  protect: "reap.protect",
  unreadable: "a command line or environment that cannot be read",
  "under-kept": "a kept process above it",
};

/** `port 3000 is held by pid 4242 "next dev" of live Claude Code session 3f2a1b9c… (pid 777); not ended`. */
export function refusalLine(port: number, row: ShownProcess, why: NotEnded): string {
  const { who, hint } = whoseProcess(row, why);
  return `port ${port} is held by ${who}; not ended${hint ? `; ${hint}` : ""}`;
}

/** `pid 4242 "next dev" of live Claude Code session 3f2a1b9c… (pid 777)`: a process, with why the policy leaves it; `hint`, how it could be ended. */
export function whoseProcess(row: ShownProcess, why: NotEnded): { who: string; hint: string | null } {
  const pid = `pid ${row.pid} "${shortCommand(row.command)}"`;
  const hint = row.ledgerId ? `supervise kill ${row.ledgerId} ends it` : null;
  if (why === "other-user") return { who: `${pid} of uid ${row.uid ?? "?"}, another user`, hint: null };
  if (why === "other-namespace") return { who: `${pid}, in another pid namespace`, hint: null };
  if (why === "ender") return { who: `${pid}, which runs this command`, hint: null };
  if (why === "kept") return { who: `${pid}${ofOwner(row)}, kept by ${KEPT_BY[row.keptBy ?? "unreadable"]}`, hint };
  if (why === "keep-orphaned") return { who: `${pid}${ofOwner(row)}, started with --keep-orphaned`, hint };
  if (row.session === null && row.ledgerId === null) return { who: `${pid}, not started by any agent session or supervise entry`, hint: null };
  return { who: `${pid}${ofOwner(row)}`, hint: null };
}

/** " of live Claude Code session 3f2a1b9c… (pid 777)", " of entry k3x9…", by what is known of its owner. */
function ofOwner(row: ShownProcess): string {
  if (row.session === null) return row.ledgerId ? ` of entry ${row.ledgerId}` : "";
  const agent = row.agent === null ? "" : `${AGENT_NAMES[row.agent] ?? printable(row.agent)} `;
  const session = `session ${shortSession(row.session)}`;
  const pid = row.ownerPid === null ? "" : ` (pid ${row.ownerPid})`;
  if (row.owner === "alive") return ` of live ${agent}${session}${pid}`;
  if (row.owner === "gone") return ` of ${agent}${session}, whose agent${pid} is gone`;
  return ` of ${agent}${session}, whose agent${pid ? pid : ""} is not proven gone`;
}

function shortSession(session: string): string {
  return printable(session.length > 12 ? `${session.slice(0, 8)}…` : session);
}

function shortCommand(command: string): string {
  return printable(command.length > 60 ? `${command.slice(0, 57)}...` : command);
}

/** What a socket no readable process holds says. */
export function unseenLine(port: number, uid: number): string {
  return `port ${port} is held by a process of uid ${uid} that supervise cannot read`;
}
