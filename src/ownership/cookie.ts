// Reading a process's session cookie from its environment (NUL-separated, as /proc gives it).

import { AGENTS, KEEP_VAR, type AgentRow } from "./agents.ts";

export interface SessionCookie {
  agent: string;
  session: string;
  /** The agent's pid as the process saw it; null when missing or junk (then the owner is unknown). */
  ownerPid: number | null;
}

/** The kernel's largest pid (pid_max can be at most 2^22). */
const PID_MAX = 4_194_304;

/** Every NAME=value of an environment, by name (the first wins, as getenv does). */
export function environVars(environ: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of environ.split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0 && !vars.has(entry.slice(0, at))) vars.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return vars;
}

/** A pid an owner can have: digits only, above 1 (pid 1 is init, never an agent), at most pid_max. */
export function parseOwnerPid(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9]{1,7}$/.test(text)) return null;
  const pid = Number(text);
  return pid > 1 && pid <= PID_MAX ? pid : null;
}

/** The first agent row whose session variable the environment sets (non-empty); null: no session. */
export function sessionCookieOf(environ: string | null, agents: readonly AgentRow[] = AGENTS): SessionCookie | null {
  if (environ === null) return null;
  const vars = environVars(environ);
  for (const row of agents) {
    const session = vars.get(row.sessionVar);
    if (!session) continue;
    return { agent: row.agent, session, ownerPid: row.ownerPidVar ? parseOwnerPid(vars.get(row.ownerPidVar)) : null };
  }
  return null;
}

/** An agent's mark without a session id (an older agent, or one that exports only its marker). */
export function hasAgentMarker(environ: string | null, agents: readonly AgentRow[] = AGENTS): boolean {
  if (environ === null) return false;
  const vars = environVars(environ);
  return agents.some((row) => row.marker !== null && vars.get(row.marker.name) === row.marker.value);
}

export function carriesKeep(environ: string | null): boolean {
  return environ !== null && environVars(environ).get(KEEP_VAR) === "1";
}
