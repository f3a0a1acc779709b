// `supervise run`: the hot path of every wrapped command, which loads neither zod (unless a
// config file changed) nor pino (test/cli/hot-path-modules.test.ts).

import { readOwnCmdlineBytes } from "../cli/raw-args.ts";
import { loadConfig } from "../config/load.ts";
import { workingDirectory } from "../cwd.ts";
import { withExitCode } from "../errors.ts";
import { newEntryId } from "../ledger/id.ts";
import { openLog } from "../log.ts";
import { COOKIE } from "../proc/scan.ts";
import { readArgFile } from "../run/arg-file.ts";
import { launchFor, readOwnEnviron } from "../run/exact-launch.ts";
import { inheritedIgnores } from "../run/inherited-ignores.ts";
import { parseRunArgs, resolveRunRequest, RUN_USAGE_EXIT } from "../run/options.ts";
import { ledgerRecorder } from "../run/recorder.ts";
import { HANDLED_SIGNALS, runWrapped } from "../run/wrapper.ts";
import { stateDir } from "../state-dir.ts";

export default async function run(args: string[]): Promise<number> {
  // Read first: if the parent dies while we load config and open the ledger, we are
  // reparented, and a later read would take the new parent for the one to watch.
  const parentPid = process.ppid;
  try {
    const parsed = parseRunArgs(args);
    const env = process.env;
    const environ = readOwnEnviron();
    // A removed directory is still where the command runs (it inherits it, as under GNU timeout).
    const { path: cwd } = workingDirectory();
    const dir = stateDir(env);
    // The agent hooks' way to pass a long command once (arg-file.ts): its bytes are the last word.
    const argFile = typeof parsed.flags["arg-file"] === "string" ? readArgFile(parsed.flags["arg-file"], dir) : null;
    if (argFile !== null) parsed.command.push(new TextDecoder("utf-8", { ignoreBOM: true }).decode(argFile));
    const configPath = typeof parsed.flags.config === "string" ? parsed.flags.config : undefined;
    const { config } = await loadConfig({ configPath, env, cwd, stateDir: dir });
    const request = resolveRunRequest(parsed, config, env);
    const id = newEntryId();
    // The command's words and environment as we were given them, byte for byte; what cannot be is refused here, before any record.
    const ignore = await inheritedIgnores([...HANDLED_SIGNALS, request.signal.number]);
    const launch = await launchFor(request.command, [COOKIE, id], { cmdline: await readOwnCmdlineBytes(), environ: await environ, env, lastWord: argFile }, ignore);

    const log = openLog(dir);
    const say = (message: string) => process.stderr.write(`supervise: ${message}\n`);
    const recorder = ledgerRecorder(dir, log, (message) => say(`warning: ${message}`));
    return await runWrapped({ id, request, launch, cwd, env, parentPid, stateDir: dir, recorder, log, say });
  } catch (error) {
    // Anything before the launch is supervise's own failure: 125, like GNU timeout.
    throw withExitCode(error, RUN_USAGE_EXIT);
  }
}
