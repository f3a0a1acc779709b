// `supervise install --check`: what the installed hooks would do when the agent calls them.
// Each supervise handler's Bun and CLI paths exist; the handlers that never sweep
// (pre-tool-use, session-end) answer bad input with JSON and exit 0 within their time; the
// state dir can be written and its ledger reads whole. SessionStart sweeps when it runs, so
// only its paths are checked.

import { accessSync, constants, statSync } from "node:fs";
import { existingLedger, ledgerDamage } from "../ledger/open.ts";
import { readText } from "./files.ts";
import type { InstallTarget, Scope } from "./agents.ts";
import { isObject, isSupervisorHandler, type Json } from "./settings.ts";
import { withoutComments } from "./jsonc.ts";

export interface Check {
  ok: boolean;
  line: string;
}

/** How long a handler run by the check may take before it counts as failed. */
const AT_MOST_MS = 10_000;

export function checkAgent(target: InstallTarget, scope: Scope, cwd: string, env: NodeJS.ProcessEnv): Check[] {
  const path = target.settingsPath(scope, cwd, env);
  const text = readText(path);
  if (text === null) return [{ ok: false, line: `${target.agent}: no ${path}: run supervise install${target.agent === "claude-code" ? "" : ` --agent ${target.agent}`}` }];
  let data: Json;
  try {
    data = JSON.parse(withoutComments(text) ?? text) as Json;
  } catch {
    return [{ ok: false, line: `${target.agent}: ${path} is not valid JSON` }];
  }
  const checks: Check[] = [];
  for (const event of target.events) {
    const handlers = handlersOf(data, event);
    if (handlers.length === 0) {
      checks.push({ ok: false, line: `${target.agent} ${event}: no supervise hook in ${path}` });
      continue;
    }
    for (const handler of handlers) checks.push(checkHandler(target, event, handler.command, env));
  }
  return checks;
}

function handlersOf(data: Json, event: string): Array<{ command: string }> {
  const hooks = isObject(data) && isObject(data.hooks) ? data.hooks[event] : undefined;
  if (!Array.isArray(hooks)) return [];
  return hooks.flatMap((group) => (isObject(group) && Array.isArray(group.hooks) ? group.hooks : [])).filter(isSupervisorHandler) as Array<{ command: string }>;
}

function checkHandler(target: InstallTarget, event: string, command: string, env: NodeJS.ProcessEnv): Check {
  const name = `${target.agent} ${event}`;
  const words = shellWords(command);
  if (words === null) return { ok: false, line: `${name}: cannot read its command: ${command}` };
  const [bun, cli] = words.filter((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  if (!bun || !runnable(bun)) return { ok: false, line: `${name}: ${bun ?? "(no program)"} cannot be run: the hook would fail (exit 126 or 127) and the agent go on without supervise` };
  if (!cli || statSync(cli, { throwIfNoEntry: false })?.isFile() !== true) return { ok: false, line: `${name}: ${cli ?? "(no script)"} is gone: the hook would fail and the agent go on without supervise` };
  if (event === "SessionStart") return { ok: true, line: `${name}: ${cli} is there (not run: SessionStart sweeps)` };
  const started = Date.now();
  const r = Bun.spawnSync(["/bin/sh", "-c", command], { env, stdin: new TextEncoder().encode("not json"), stdout: "pipe", stderr: "pipe", timeout: AT_MOST_MS });
  const ms = Date.now() - started;
  if (r.exitCode !== 0) return { ok: false, line: `${name}: exit ${r.exitCode ?? "(killed)"} after ${ms} ms, not 0: ${r.stderr.toString().trim().split("\n")[0] ?? ""}` };
  try {
    JSON.parse(r.stdout.toString());
  } catch {
    return { ok: false, line: `${name}: its answer is not JSON` };
  }
  return { ok: true, line: `${name}: answers JSON, exit 0, in ${ms} ms` };
}

/** The state dir can be written and the ledger there (if any) reads whole. */
export function checkState(stateDir: string): Check[] {
  const checks: Check[] = [];
  const stat = statSync(stateDir, { throwIfNoEntry: false });
  if (!stat) return [{ ok: true, line: `state dir ${stateDir}: not made yet (the first run makes it)` }];
  try {
    accessSync(stateDir, constants.W_OK | constants.X_OK);
    checks.push({ ok: stat.isDirectory(), line: `state dir ${stateDir}: ${stat.isDirectory() ? "writable" : "not a directory"}` });
  } catch {
    checks.push({ ok: false, line: `state dir ${stateDir}: cannot be written (every run would go unrecorded)` });
  }
  try {
    const db = existingLedger(stateDir);
    if (db) {
      const damage = ledgerDamage(db);
      db.close();
      checks.push(damage === null ? { ok: true, line: `ledger: reads whole` } : { ok: false, line: `ledger: ${damage}` });
    }
  } catch (error) {
    checks.push({ ok: false, line: `ledger: ${(error as Error).message}` });
  }
  return checks;
}

function runnable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The words of a command as install writes it (plain words, '…' and "…" quoting); null for anything else. */
export function shellWords(command: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) return null;
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const end = command.indexOf('"', i + 1);
      if (end === -1) return null;
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (c === "\\" && i + 1 < command.length) {
      word = (word ?? "") + command[++i];
    } else if (";&|<>`$(){}".includes(c)) {
      return null;
    } else word = (word ?? "") + c;
  }
  if (word !== null) words.push(word);
  return words;
}
