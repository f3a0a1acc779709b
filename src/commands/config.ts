// `supervise config [--schema | --origins]`: the effective configuration, the file's JSON
// Schema, or where each value that is not a default came from.

import { writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";

export default async function config(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { schema: {}, origins: {}, config: { value: true } }, { positionals: 0 });
  if (options.schema && options.origins) throw new UsageError("--schema and --origins cannot be combined");
  if (options.schema) {
    const { configJsonSchema } = await import("../config/schema.ts");
    await writeOut(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  // No cache here: this command is how a user checks a config file, so always validate.
  // --origins lists the ignored keys itself, so they are not said twice.
  const loaded = await loadConfig({ configPath: stringOption(options, "config"), quiet: options.origins === true });
  await writeOut(options.origins ? originsText(loaded) : `${JSON.stringify(loaded.config, null, 2)}\n`);
  return 0;
}

/** `KEY  default + user /path` per key a file set, then `KEY  ignored in project /path` per ignored key. */
export function originsText({ origins, ignored }: Pick<LoadedConfig, "origins" | "ignored">): string {
  const rows: [string, string][] = Object.entries(origins)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, labels]) => [key, labels.join(" + ")]);
  for (const { key, file, entry } of ignored) rows.push([key, `ignored${entry === undefined ? "" : ` ${JSON.stringify(entry)}`} in project ${file}`]);
  if (rows.length === 0) return "every value is the default\n";
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, from]) => `${key.padEnd(width)}  ${from}\n`).join("");
}
