// `supervise install [--agent NAME]... [--user | --project | --local] [--uninstall] [--dry-run]`: add
// (or remove) exactly supervise's hooks in each agent's settings, keeping everything else;
// idempotent; a backup of the previous file first; an atomic write; a file that cannot be
// merged is refused, and then no file is changed. For Codex, also its trust in those hooks.

import { agentOption } from "../cli/agent-option.ts";
import { writeErr, writeOut } from "../cli/output.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { workingDirectory } from "../cwd.ts";
import { UsageError } from "../errors.ts";
import { selfCommand } from "../hooks/self.ts";
import { rmSync } from "node:fs";
import { unifiedDiff } from "../install/diff.ts";
import { backUp, isEmptyAgain, writeAtomically } from "../install/files.ts";
import { planInstall, type FileChange } from "../install/plan.ts";
import { codexTrustHint, geminiTrustHint } from "../install/trust-hints.ts";
import type { Scope } from "../install/agents.ts";
import type { AgentName } from "../ownership/agents.ts";
import { shellQuote } from "../render/shell-quote.ts";
import { stateDir } from "../state-dir.ts";

export default async function install(args: string[]): Promise<number> {
  const { options, lists } = parseOptions(args, { agent: { value: true }, user: {}, project: {}, local: {}, uninstall: {}, "dry-run": {}, check: {} }, { positionals: 0 });
  const scopes = (["user", "project", "local"] as const).filter((name) => options[name]);
  if (scopes.length > 1) throw new UsageError(`${scopes.map((name) => `--${name}`).join(" and ")} exclude each other`);
  const scope: Scope = scopes[0] ?? "user";
  const agents = agentList(lists.agent ?? []);
  const { INSTALL_TARGETS } = await import("../install/agents.ts");
  const unscoped = agents.find((agent) => !INSTALL_TARGETS[agent].scopes.includes(scope));
  if (unscoped) throw new UsageError(`--local is Claude Code's alone (.claude/settings.local.json): ${unscoped} has no per-user project file; use --project or --user`);
  const uninstall = options.uninstall === true;
  const here = workingDirectory();
  // A project's settings live under a directory that must still be there.
  if (scope !== "user" && !here.exists) throw new UsageError(`the working directory ${here.path} was removed; nothing to install --${scope} into`);
  const cwd = here.path;
  if (options.check) return check(agents, scope, cwd);
  const changes = planInstall({ agents, scope, uninstall, commandPrefix: hookCommandPrefix(), cwd, env: process.env });

  // What only this shell's environment says becomes part of every hook: say so before it does.
  if (!uninstall && changes.some((c) => !c.same)) {
    for (const name of ["SUPERVISE_HOME", "SUPERVISE_CONFIG"]) {
      const value = process.env[name];
      if (value) await writeErr(`supervise: note: ${name}=${value} is set in this environment, so the hooks are written with it${scope === "project" ? " (into files a team may commit)" : ""}; unset it to install hooks that use the default\n`);
    }
    // The hooks name this machine's paths: a committed file would hand them to the whole team.
    if (scope === "project" && agents.includes("claude-code")) await writeErr("supervise: note: .claude/settings.json is the file a team commits, and these hooks name this machine's paths; --local writes .claude/settings.local.json instead, kept out of git\n");
  }
  for (const change of changes) {
    if (options["dry-run"]) await dryRun(change, uninstall);
    else await apply(change, uninstall);
  }
  if (scope === "project" && !uninstall) await trustHints(agents, cwd);
  if (scope === "local" && !uninstall && !options["dry-run"]) await keepOutOfGit(changes);
  return 0;
}

/** One line per check, "ok" or "FAIL"; exit 1 when any failed. */
async function check(agents: readonly AgentName[], scope: Scope, cwd: string): Promise<number> {
  const { checkAgent, checkState } = await import("../install/check.ts");
  const { INSTALL_TARGETS } = await import("../install/agents.ts");
  const checks = [...agents.flatMap((agent) => checkAgent(INSTALL_TARGETS[agent], scope, cwd, process.env)), ...checkState(stateDir())];
  await writeOut(checks.map((c) => `${c.ok ? "ok  " : "FAIL"}  ${c.line}\n`).join(""));
  return checks.every((c) => c.ok) ? 0 : 1;
}

function agentList(names: readonly string[]): AgentName[] {
  return names.length ? [...new Set(names.map(agentOption))] : ["claude-code"];
}

/** Hooks run in the agent's environment: an explicit state dir and config are written in. */
function hookCommandPrefix(): string {
  const { bun, cli } = selfCommand();
  const env: string[] = [];
  for (const name of ["SUPERVISE_HOME", "SUPERVISE_CONFIG"]) {
    const value = process.env[name];
    if (value) env.push(`${name}=${shellQuote(value)}`);
  }
  return [...env, shellQuote(bun), shellQuote(cli)].join(" ");
}

function verb(change: FileChange, uninstall: boolean): string {
  if (change.kind === "trust") return uninstall ? "removed Codex's trust in supervise's hooks from" : "recorded Codex's trust in supervise's hooks in";
  return uninstall ? "removed supervise's hooks from" : "installed supervise's hooks in";
}

async function dryRun(change: FileChange, uninstall: boolean): Promise<void> {
  // The change as a diff; the empty file it starts from shows as every line added.
  await writeOut(unifiedDiff(change.path, change.before ?? "", change.after));
  await writeErr(change.same ? `supervise: ${change.path}: nothing would change\n` : `supervise: dry run: would have ${verb(change, uninstall)} ${change.path}${change.commentsDropped ? " (its comments would not be kept)" : ""}\n`);
}

async function apply(change: FileChange, uninstall: boolean): Promise<void> {
  if (change.same) {
    await writeOut(`${change.path}: nothing to change\n`);
    return;
  }
  const backup = change.before !== null ? backUp(change.path) : null;
  // Emptied by the uninstall: a file only supervise's hooks were in goes, the backup keeps it.
  if (uninstall && isEmptyAgain(change.after, change.kind === "trust" ? "toml" : "json")) {
    rmSync(change.path, { force: true });
    await writeOut(`${verb(change, uninstall)} ${change.path}, now empty: removed it${backup ? ` (previous file: ${backup})` : ""}\n`);
    return;
  }
  writeAtomically(change.path, change.after);
  await writeOut(`${verb(change, uninstall)} ${change.path}${backup ? ` (previous file: ${backup})` : ""}\n`);
  if (change.commentsDropped) await writeErr(`supervise: the comments in ${change.path} are not kept in the rewritten file; the previous file, with them, is ${backup}\n`);
}

/** What --local wrote stays the user's: in a git work tree, its clone's info/exclude names it and its backups. */
async function keepOutOfGit(changes: readonly FileChange[]): Promise<void> {
  const { excludeFromGit } = await import("../install/git-exclude.ts");
  const exclude = excludeFromGit(changes.map((change) => change.path));
  if (exclude) await writeOut(`kept out of git: ${exclude} names it and its backups\n`);
}

async function trustHints(agents: readonly AgentName[], cwd: string): Promise<void> {
  const hints = [agents.includes("gemini") ? geminiTrustHint(cwd, process.env) : null, agents.includes("codex") ? codexTrustHint(cwd, process.env) : null];
  for (const hint of hints) if (hint) await writeErr(`supervise: ${hint}\n`);
}
