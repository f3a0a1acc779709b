// Codex runs a hook only once it is trusted: config.toml's `[hooks.state."KEY"]` holds a
// `trusted_hash` of the handler as approved. `install --agent codex` is the user's consent,
// so it records supervise's handlers the way Codex's own approval does (0.171.0).

import { createHash } from "node:crypto";
import { isObject, isSupervisorHandler, type Json, type JsonObject } from "./settings.ts";

/** Codex's handler timeout, in seconds, when the file gives none. */
const DEFAULT_TIMEOUT_S = 600;

/** `SessionStart` → `session_start`, as Codex names events in trust keys and hashes. */
export function snakeEvent(event: string): string {
  return event.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}

/** `<absolute path of hooks.json>:<event>:<group index>:<handler index>`. */
export function trustKey(hooksPath: string, event: string, group: number, handler: number): string {
  return `${hooksPath}:${snakeEvent(event)}:${group}:${handler}`;
}

/** `sha256:` over the canonical JSON (sorted keys, compact) of the event, the group's matcher and the handler. */
export function trustHash(event: string, group: JsonObject, handler: JsonObject): string {
  const identity: JsonObject = {
    event_name: snakeEvent(event),
    hooks: [{ async: handler.async ?? false, command: handler.command ?? null, timeout: handler.timeout ?? DEFAULT_TIMEOUT_S, type: "command" }],
  };
  if (typeof group.matcher === "string") identity.matcher = group.matcher;
  return `sha256:${createHash("sha256").update(canonicalJson(identity)).digest("hex")}`;
}

export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (!isObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(",")}}`;
}

/** Every supervise handler of these events in a hooks.json, as its trust key → its hash. */
export function supervisorTrust(hooksPath: string, settings: Json, events: readonly string[]): Map<string, string> {
  const trust = new Map<string, string>();
  const hooks = isObject(settings) && isObject(settings.hooks) ? settings.hooks : {};
  for (const event of events) {
    const groups = hooks[event];
    if (!Array.isArray(groups)) continue;
    groups.forEach((group, g) => {
      if (!isObject(group) || !Array.isArray(group.hooks)) return;
      group.hooks.forEach((handler, h) => {
        if (isObject(handler) && isSupervisorHandler(handler)) trust.set(trustKey(hooksPath, event, g, h), trustHash(event, group, handler));
      });
    });
  }
  return trust;
}
