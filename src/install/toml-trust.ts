// Editing Codex's config.toml as TOML, for exactly the `[hooks.state."KEY"]` trust entries:
// parsed first (an invalid file is refused untouched), changed line by line so that every
// other byte stays as it was, parsed again to prove the result says what was meant.

export class TomlEditError extends Error {}

type Table = Record<string, unknown>;

/**
 * The text with `trusted_hash` set for each key of `add`, and taken away for each key of
 * `remove` whose recorded hash is still the one given (a hash the user approved since stays).
 */
export function withTrustedHashes(text: string, add: ReadonlyMap<string, string>, remove: ReadonlyMap<string, string>): string {
  const state = hooksState(parse(text));
  const removing = [...remove].filter(([key, hash]) => !add.has(key) && state[key]?.trusted_hash === hash);
  const adding = [...add].filter(([key, hash]) => state[key]?.trusted_hash !== hash);
  if (removing.length === 0 && adding.length === 0) return text;
  let lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  for (const [key] of removing) lines = withoutTrust(lines, key);
  for (const [key, hash] of adding) lines = withTrust(lines, key, hash, state[key] !== undefined);
  const out = lines.length ? `${lines.join("\n")}\n` : "";
  proveResult(out, add, remove);
  return out;
}

function parse(text: string): Table {
  try {
    return Bun.TOML.parse(text) as Table;
  } catch (error) {
    throw new TomlEditError(`is not valid TOML (${(error as Error).message})`, { cause: error });
  }
}

function hooksState(data: Table): Record<string, Table> {
  const hooks = data.hooks as Table | undefined;
  return ((hooks?.state ?? {}) as Record<string, Table>) ?? {};
}

/** The line numbers of the table `[hooks.state."KEY"]`: its header, and the end of its body. */
function tableSpan(lines: readonly string[], key: string): { header: number; end: number } | null {
  const quoted = [JSON.stringify(key), key.includes("'") ? null : `'${key}'`].filter((q) => q !== null);
  const header = lines.findIndex((line) => {
    const m = /^\s*\[\s*hooks\s*\.\s*state\s*\.\s*(.+?)\s*\]\s*(?:#.*)?$/.exec(line);
    return m !== null && quoted.includes(m[1]!);
  });
  if (header === -1) return null;
  let end = header + 1;
  while (end < lines.length && !/^\s*\[/.test(lines[end]!)) end++;
  return { header, end };
}

const TRUST_LINE = /^\s*trusted_hash\s*=/;

function withTrust(lines: string[], key: string, hash: string, exists: boolean): string[] {
  const entry = `trusted_hash = ${JSON.stringify(hash)}`;
  const span = tableSpan(lines, key);
  if (!span) {
    if (exists) throw new TomlEditError(`holds hooks.state.${JSON.stringify(key)} in a form supervise does not edit (not a [table] of its own); edit it by hand`);
    // Always a blank line before it (uninstall takes that line away again).
    const gap = lines.length ? [""] : [];
    return [...lines, ...gap, `[hooks.state.${JSON.stringify(key)}]`, entry];
  }
  const out = [...lines];
  const at = out.slice(span.header + 1, span.end).findIndex((line) => TRUST_LINE.test(line));
  if (at === -1) out.splice(span.header + 1, 0, entry);
  else out[span.header + 1 + at] = entry;
  return out;
}

function withoutTrust(lines: string[], key: string): string[] {
  const span = tableSpan(lines, key);
  if (!span) throw new TomlEditError(`holds hooks.state.${JSON.stringify(key)} in a form supervise does not edit (not a [table] of its own); edit it by hand`);
  const body = lines.slice(span.header + 1, span.end).filter((line) => !TRUST_LINE.test(line));
  // A table that held only the hash goes with it, and the blank line before it too.
  if (body.every((line) => line.trim() === "")) {
    const start = span.header > 0 && lines[span.header - 1]!.trim() === "" ? span.header - 1 : span.header;
    return [...lines.slice(0, start), ...lines.slice(span.end)];
  }
  return [...lines.slice(0, span.header + 1), ...body, ...lines.slice(span.end)];
}

function proveResult(text: string, add: ReadonlyMap<string, string>, remove: ReadonlyMap<string, string>): void {
  const state = hooksState(parse(text));
  for (const [key, hash] of add) if (state[key]?.trusted_hash !== hash) throw new TomlEditError(`could not record the trust of ${key}`);
  for (const [key, hash] of remove) if (!add.has(key) && state[key]?.trusted_hash === hash) throw new TomlEditError(`could not remove the trust of ${key}`);
}
