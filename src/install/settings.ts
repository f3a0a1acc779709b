// An agent's hook settings as data (Claude Code's and Gemini's settings.json, Codex's
// hooks.json share the shape): adding supervise's hooks and taking them out again, leaving
// every other key and hook as it was. Pure: the command does the IO.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One matcher group per event, by the agent's name for the event. */
export type HookGroups = Record<string, JsonObject>;

/** Claude Code's events, as its settings spell them. */
export const EVENTS = ["SessionStart", "SessionEnd", "PreToolUse", "UserPromptSubmit"] as const;

/** One matcher group per event, as Claude Code's settings spell them. */
export function supervisorGroups(commandPrefix: string): HookGroups {
  return {
    // Every way a session (re)starts is a moment to sweep what earlier ones leaked.
    SessionStart: { matcher: "startup|resume|clear|compact", hooks: [{ type: "command", command: `${commandPrefix} hook session-start`, timeout: 30 }] },
    // No timeout: the hook returns in milliseconds, inside the default 1.5 s budget.
    SessionEnd: { hooks: [{ type: "command", command: `${commandPrefix} hook session-end` }] },
    // Its answer also tells the model what its background commands did (src/tell).
    PreToolUse: { matcher: "Bash", hooks: [{ type: "command", command: `${commandPrefix} hook pre-tool-use`, timeout: 30 }] },
    // The same at each prompt, for a turn with no Bash call.
    UserPromptSubmit: { hooks: [{ type: "command", command: `${commandPrefix} hook prompt`, timeout: 10 }] },
  };
}

const OURS = /(?:^|[\s/'"])(?:supervise|cli\.ts)['"]?\s+hook\s+(?:--agent[\s=][a-z-]+\s+)?(?:session-start|session-end|pre-tool-use|prompt|post-tool-use)\s*$/;

/** A handler supervise installed, whatever paths it was written with. */
export function isSupervisorHandler(handler: Json): boolean {
  return isObject(handler) && handler.type === "command" && typeof handler.command === "string" && OURS.test(handler.command);
}

export class SettingsShapeError extends Error {}

/** Settings with supervise's handlers of these events replaced by `groups` (or removed, when groups is null). */
export function withSupervisorHooks(settings: Json, groups: HookGroups | null, events: readonly string[] = EVENTS): JsonObject {
  if (!isObject(settings)) throw new SettingsShapeError("the settings file does not hold a JSON object");
  const out: JsonObject = structuredClone(settings);
  const hooks = out.hooks ?? {};
  if (!isObject(hooks)) throw new SettingsShapeError("'hooks' is not an object");
  for (const event of events) {
    const existing = hooks[event] ?? [];
    if (!Array.isArray(existing)) throw new SettingsShapeError(`'hooks.${event}' is not an array`);
    const kept = existing.flatMap((group): Json[] => {
      if (!isObject(group) || !Array.isArray(group.hooks)) return [group];
      const others = group.hooks.filter((handler) => !isSupervisorHandler(handler));
      // A group that held only our handlers goes with them; anyone else's stays.
      if (others.length === group.hooks.length) return [group];
      return others.length ? [{ ...group, hooks: others }] : [];
    });
    if (groups?.[event]) kept.push(groups[event]);
    if (kept.length) hooks[event] = kept;
    else delete hooks[event];
  }
  if (Object.keys(hooks).length) out.hooks = hooks;
  else delete out.hooks;
  return out;
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
