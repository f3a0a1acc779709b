// `supervise config [--schema]`: the effective configuration, or the file's JSON Schema.

import { writeOut } from "../cli/output.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { UsageError } from "../errors.ts";
import { loadConfig } from "../config/load.ts";

export default async function config(args: string[]): Promise<number> {
  const { options, positionals } = parseOptions(args, { schema: {}, config: { value: true } });
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (options.schema) {
    const { configJsonSchema } = await import("../config/schema.ts");
    await writeOut(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  }
  // No cache here: this command is how a user checks a config file, so always validate.
  const { config } = await loadConfig({ configPath: stringOption(options, "config") });
  await writeOut(`${JSON.stringify(config, null, 2)}\n`);
  return 0;
}
