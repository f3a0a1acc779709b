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

/**
 * One variable of a NUL-separated environment (the first, as getenv finds it); undefined when
 * unset. A search, not a parse: a sweep looks up a few names in hundreds of environments.
 */
export function environVar(environ: string | null, name: string): string | undefined {
  if (environ === null) return undefined;
  const key = `${name}=`;
  for (let at = environ.indexOf(key); at !== -1; at = environ.indexOf(key, at + 1)) {
    if (at !== 0 && environ.charCodeAt(at - 1) !== 0) continue;
    const end = environ.indexOf("\0", at);
    return environ.slice(at + key.length, end === -1 ? undefined : end);
  }
  return undefined;
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
  for (const row of agents) {
    const session = row.sessionVar === null ? undefined : environVar(environ, row.sessionVar);
    if (!session) continue;
    return { agent: row.agent, session, ownerPid: row.ownerPidVar ? parseOwnerPid(environVar(environ, row.ownerPidVar)) : null };
  }
  return null;
}

/** An agent's mark without a session id (an older agent, or one that exports only its marker). */
export function hasAgentMarker(environ: string | null, agents: readonly AgentRow[] = AGENTS): boolean {
  return agents.some((row) => row.marker !== null && environVar(environ, row.marker.name) === row.marker.value);
}

export function carriesKeep(environ: string | null): boolean {
  return environVar(environ, KEEP_VAR) === "1";
}
