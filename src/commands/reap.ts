// `supervise reap [--dry-run] [--json] [--session ID]`: one sweep, reported.
// Exit 0 unless the sweep itself failed and reap.gracefulDegradation is off (then 1).

import { writeErr, writeJson, writeOut } from "../cli/output.ts";
import { terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { loadConfig } from "../config/load.ts";
import { summarize } from "../render/reap-report.ts";
import { sweep } from "../reap/sweep.ts";
import { stateDir } from "../state-dir.ts";

export default async function reap(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { "dry-run": {}, json: {}, session: { value: true }, config: { value: true } }, { positionals: 0 });
  const dir = stateDir();
  const { config } = await loadConfig({ configPath: stringOption(options, "config"), stateDir: dir });
  const session = stringOption(options, "session") ?? null;
  const { report } = await sweep({ config, stateDir: dir, dryRun: options["dry-run"] === true, session, trigger: "manual", triggerSession: session });
  await (options.json ? writeJson(report) : writeOut(summarize(report, await terminalWidth(1))));
  if (report.errors.length) {
    await writeErr(`supervise: reap: ${report.errors.join("; ")}\n`);
    if (!config.reap.gracefulDegradation) return 1;
  }
  return 0;
}
