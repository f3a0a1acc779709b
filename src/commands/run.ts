// `supervise run`: the hot path of every wrapped command, which loads neither zod (unless a
// config file changed) nor pino (test/cli/hot-path-modules.test.ts).

import { loadConfig } from "../config/load.ts";
import { workingDirectory } from "../cwd.ts";
import { withExitCode } from "../errors.ts";
import { newEntryId } from "../ledger/id.ts";
import { openLog } from "../log.ts";
import { parseRunArgs, resolveRunRequest, RUN_USAGE_EXIT } from "../run/options.ts";
import { ledgerRecorder } from "../run/recorder.ts";
import { runWrapped } from "../run/wrapper.ts";
import { stateDir } from "../state-dir.ts";

export default async function run(args: string[]): Promise<number> {
  // Read first: if the parent dies while we load config and open the ledger, we are
  // reparented, and a later read would take the new parent for the one to watch.
  const parentPid = process.ppid;
  try {
    const parsed = parseRunArgs(args);
    const env = process.env;
    // A removed directory is still where the command runs (it inherits it, as under GNU timeout).
    const { path: cwd, exists: cwdExists } = workingDirectory();
    const dir = stateDir(env);
    const configPath = typeof parsed.flags.config === "string" ? parsed.flags.config : undefined;
    const { config } = await loadConfig({ configPath, env, cwd, stateDir: dir });
    const request = resolveRunRequest(parsed, config, env);

    const log = openLog(dir);
    const say = (message: string) => process.stderr.write(`supervise: ${message}\n`);
    const recorder = ledgerRecorder(dir, log, (message) => say(`warning: ${message}`));
    return await runWrapped({ id: newEntryId(), request, cwd, cwdExists, env, parentPid, stateDir: dir, recorder, log, say });
  } catch (error) {
    // Anything before the launch is supervise's own failure: 125, like GNU timeout.
    throw withExitCode(error, RUN_USAGE_EXIT);
  }
}
