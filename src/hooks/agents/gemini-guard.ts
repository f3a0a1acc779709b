// Gemini CLI refuses a shell command that holds command substitution outside single quotes.
// supervise's wrap puts the original inside quotes (its `$` escaped in the policy mirror),
// which would switch that guard off; so a command the guard would refuse is never wrapped,
// and Gemini refuses it as before.

/** `$(`, `$((`, backticks, or `<(` / `>(` outside quotes, as Gemini's own scan finds them (0.61.0). */
export function holdsSubstitution(command: string): boolean {
  let single = false;
  let double = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    const next = command[i + 1];
    if (single) {
      if (c === "'") single = false;
      continue;
    }
    if (c === "'" && !double) single = true;
    else if (c === '"') double = !double;
    // A backslash outside quotes escapes anything; inside double quotes only these.
    else if (c === "\\" && next !== undefined && (!double || "$`\"\\\n".includes(next))) i++;
    else if (c === "`" || (c === "$" && next === "(")) return true;
    else if (!double && (c === "<" || c === ">") && next === "(") return true;
  }
  return false;
}

/** Gemini checks what is inside a leading `sh|bash|zsh -c '…'` too: so does this. */
export function refusedByGeminiGuard(command: string): boolean {
  if (holdsSubstitution(command)) return true;
  const inner = shellWrapperBody(command);
  return inner !== null && holdsSubstitution(inner);
}

/** The quoted text after a leading `[path/]sh|bash|zsh -c`, unquoted; null when there is none. */
export function shellWrapperBody(command: string): string | null {
  const match = /^\s*(?:\S+\/)?(?:sh|bash|zsh)\s+-c\s+/i.exec(command);
  if (!match) return null;
  const rest = command.slice(match[0].length).trim();
  if (rest.length < 2) return rest;
  const quote = rest[0];
  if ((quote !== "'" && quote !== '"') || rest.at(-1) !== quote) return rest;
  const body = rest.slice(1, -1);
  // Inside double quotes, `\$` and `` \` `` are the characters themselves once bash has read them.
  return quote === '"' ? body.replace(/\\([$`"\\])/g, "$1") : body;
}
