// `supervise completion bash|zsh|fish`: the shell's completion script, from the help table.

import { writeOut } from "../cli/output.ts";
import { parseOptions } from "../cli/parse-options.ts";
import { completionScript } from "../cli/completion.ts";
import { UsageError } from "../errors.ts";

export default async function completion(args: string[]): Promise<number> {
  const { positionals } = parseOptions(args, {});
  const script = positionals.length === 1 ? completionScript(positionals[0]!) : null;
  if (script === null) throw new UsageError("name the shell: supervise completion bash, zsh or fish");
  await writeOut(script);
  return 0;
}
