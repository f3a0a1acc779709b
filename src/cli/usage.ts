// The one table of every command's help: `supervise --help` is built from its synopses and
// run's options, `supervise CMD --help` from its own row. test/cli/usage.test.ts holds the
// README's Usage block equal to it.

export interface CommandHelp {
  /** The synopsis, without "supervise "; more than one for a command with several forms. */
  synopsis: string[];
  about: string;
  /** Option lines, as printed. */
  options: string[];
  example: string;
  exits: string;
}

const RUN_OPTIONS = [
  "-d, --deadline DUR   wall-clock limit (default run.deadline, 1h); 0 or none: no limit",
  "-g, --grace DUR      time between the first signal and SIGKILL (default 3s)",
  "-k, --kill-after DUR GNU timeout's spelling of --grace",
  "-s, --signal SIG     first signal (default TERM)",
  "    --session ID     owning agent session (default $CLAUDE_CODE_SESSION_ID or",
  "                     $CODEX_THREAD_ID, else $SUPERVISE_SESSION)",
  "-n, --name LABEL     a label shown by ls",
  "    --keep-orphaned  leave the command running when supervise's parent dies, and",
  "                     leave what it started in the background when it exits",
  "    --session-bound  what the command leaves at its exit stays with its session",
  "                     (SessionEnd ends it, or a sweep once the agent is gone); needs a session",
  "    --preserve-status  on deadline, exit with the command's status instead of 124",
  "    --idle-timeout DUR  end it after DUR with no progress: stalled or waiting for input,",
  "                     never serving (exit 124, reason stalled; default none)",
  "-v, --verbose        one stderr line for each signal the deadline sends",
  "    --capture        also copy stdout/stderr to <state>/output/<id>.log (supervise logs)",
  "    --config FILE    config file (default $SUPERVISE_CONFIG, .supervise.json upward)",
  "    --arg-file FILE  FILE's contents become the command's last argument",
];

const JSON_OPTION = "    --json           the contract's JSON instead of a table";
const CONFIG_OPTION = "    --config FILE    config file (default $SUPERVISE_CONFIG, .supervise.json upward)";
const READER_EXITS = "0; 2 bad flags or an unknown id; 1 an unreadable ledger";

export const HELP: Record<string, CommandHelp> = {
  run: {
    synopsis: ["run [OPTIONS] -- COMMAND [ARG...]", "[OPTIONS] COMMAND [ARG...]"],
    about: "Run COMMAND in its own session and process group, recorded in a ledger, and end it\nwith its whole process tree at its deadline or when its parent dies.",
    options: RUN_OPTIONS,
    example: "supervise run --deadline 5m --name tests -- npm test",
    exits: "the command's; 124 deadline; 137 deadline, the command itself SIGKILLed; 125\nsupervise's own error; 126 not executable; 127 not found; 128+N when ended by signal N",
  },
  ls: {
    synopsis: ["ls [--all] [--session ID] [--state STATE] [--json]"],
    about: "List the running entries; --all adds the finished ones.",
    options: [
      "-a, --all            finished entries too",
      "    --session ID     only this session's",
      "    --state STATE    only entries in STATE (running, exited, killed, orphaned, lost,",
      "                     unknown); repeatable, or a comma list",
      JSON_OPTION,
    ],
    example: "supervise ls --all",
    exits: "0; 2 bad flags; 1 an unreadable ledger",
  },
  ps: {
    synopsis: ["ps [--session ID] [--port N] [--json] [--config FILE]"],
    about: "Every process of yours that belongs to an agent session or an entry, by session.",
    options: ["    --session ID     only this session's", "    --port N         the processes holding listening port N, whoever started them", JSON_OPTION, CONFIG_OPTION],
    example: "supervise ps --session 3f2a",
    exits: "0; 2 bad flags; 1 an unreadable ledger",
  },
  top: {
    synopsis: ["top [--once] [--session ID] [--sort cpu|mem] [--config FILE]"],
    about: "A live view, every 2 s, of each session's processes: CPU, memory, what each is doing.\nc sorts by CPU, m by memory, q quits.",
    options: ["    --once           one frame, its CPU measured over 1 s", "    --session ID     only this session's", "    --sort KEY       cpu (default) or mem", CONFIG_OPTION],
    example: "supervise top --once --sort mem",
    exits: "0; 2 bad flags; 1 an unreadable ledger",
  },
  show: {
    synopsis: ["show ID [--json]"],
    about: "One entry in detail: its command, owner, how it ended, its live process tree.",
    options: [JSON_OPTION],
    example: "supervise show 3k7",
    exits: READER_EXITS,
  },
  kill: {
    synopsis: ["kill ID... | --session ID | --all | --port N [--session ID] [--signal SIG | -SIG] [--grace DUR] [--json]"],
    about: "Stop entries: the first signal to their whole tree, then SIGKILL after the grace.\nWith --port, the holder of a port, only when it is yours: an entry of no agent session,\nyour session's (its cookie, or --session), or a session whose agent is gone.",
    options: [
      "    --session ID     every running entry of this session; with --port, your session's full id",
      "-a, --all            every running entry",
      "    --port N         end what holds listening port N, if it is yours; say whose it is if not",
      "-s, --signal SIG     first signal (default: each entry's own); -9, -KILL, -INT as kill(1)",
      "-g, --grace DUR      time before SIGKILL (default: each entry's own)",
      JSON_OPTION,
    ],
    example: "supervise kill --grace 1s 3k7",
    exits: "0; 1 something still alive, or a port's holder not yours (one line names it); 2 bad flags or an unknown id",
  },
  wait: {
    synopsis: ["wait ID... | --session ID | --all [--timeout DUR] [--json]"],
    about: "Wait for entries to end (with --session or --all, those running now); exit with the last one's status.",
    options: ["    --session ID     every running entry of this session", "-a, --all            every running entry", "-t, --timeout DUR    give up after DUR (exit 124)", JSON_OPTION],
    example: "supervise wait 3k7 --timeout 10m",
    exits: "the last entry's status; 124 timeout; 2 bad flags or an unknown id",
  },
  logs: {
    synopsis: ["logs ID [--follow] [--tail N] [--since DUR] [--timestamps]"],
    about: "Print what `run --capture` kept of an entry's output.",
    options: [
      "-f, --follow         keep printing until the entry ends",
      "-n, --tail N         only the last N lines (then, with --follow, what comes)",
      "    --since DUR      only the lines that arrived in the last DUR",
      "-t, --timestamps     each line with when it arrived (ISO 8601, UTC)",
    ],
    example: "supervise logs -f 3k7",
    exits: "0; 1 no captured output; 2 bad flags or an unknown id",
  },
  stats: {
    synopsis: ["stats [--json]"],
    about: "What the sweeps found and ended, over their history.",
    options: [JSON_OPTION],
    example: "supervise stats",
    exits: "0; 2 bad flags; 1 an unreadable ledger",
  },
  gc: {
    synopsis: ["gc [--older-than DUR] [--dry-run] [--yes] [--json]"],
    about: "Drop finished entries and their captured output; never a running one.",
    options: ["    --older-than DUR only those that ended more than DUR ago", "    --dry-run        name what would be removed; remove nothing", "-y, --yes            no question at a terminal (a bare gc there asks first)", JSON_OPTION],
    example: "supervise gc --older-than 7d",
    exits: "0; 2 bad flags; 1 a ledger that cannot be written",
  },
  reap: {
    synopsis: ["reap [--dry-run] [--json] [--session ID] [--config FILE]"],
    about: "One sweep: end what dead owners left behind, and orphaned rg and agent shells past their age.",
    options: ["    --dry-run        say what would be ended; end nothing", JSON_OPTION, "    --session ID     only this session's", CONFIG_OPTION],
    example: "supervise reap --dry-run",
    exits: "0; 1 a failure inside the sweep; 2 bad flags or a bad config",
  },
  hook: {
    synopsis: ["hook [--agent NAME] session-start | pre-tool-use | prompt | post-tool-use | session-end"],
    about: "An agent's hook: JSON on stdin and stdout. Installed by `supervise install`.",
    options: ["    --agent NAME     claude-code (default), gemini or codex"],
    example: "supervise hook --agent gemini pre-tool-use",
    exits: "0, always (a problem is one stderr line and `{}`)",
  },
  install: {
    synopsis: ["install [--agent NAME]... [--user | --project | --local] [--uninstall] [--dry-run] [--check]"],
    about: "Wire supervise's hooks into each agent's settings.",
    options: [
      "    --agent NAME     claude-code (default), gemini or codex; repeatable",
      "    --user           the user's settings (default)",
      "    --project        this project's settings (the files a team commits)",
      "    --local          Claude Code: this project's .claude/settings.local.json, kept out of git (.git/info/exclude)",
      "    --uninstall      remove supervise's hooks",
      "    --dry-run        print the change as a diff; write nothing",
      "    --check          check the installed hooks and the state dir, a line each; exit 1 if any fails",
    ],
    example: "supervise install --agent claude-code --dry-run",
    exits: "0; 2 bad flags or a settings file that cannot be read",
  },
  restart: {
    synopsis: ["restart ID"],
    about: "Run an entry's recorded command again: its working directory, deadline, grace, signal,\nsession, name and keep options; a new entry, in the foreground as run is.",
    options: [],
    example: "supervise restart web",
    exits: "as run's: the command's; 124 deadline; 125 supervise's own error (a directory gone); 2 an unknown id",
  },
  completion: {
    synopsis: ["completion bash | zsh | fish"],
    about: "The shell's completion script: eval \"$(supervise completion bash)\", or | source in fish.",
    options: [],
    example: "supervise completion bash > ~/.local/share/bash-completion/completions/supervise",
    exits: "0; 2 an unknown shell",
  },
  config: {
    synopsis: ["config [--schema | --origins] [--config FILE]"],
    about: "The config in effect, validated; --origins says where each value came from.",
    options: ["    --schema         the config's JSON schema", "    --origins        each value with the file it came from", CONFIG_OPTION],
    example: "supervise config --origins",
    exits: "0; 2 bad flags or a bad config",
  },
};

const FOOTER = `DUR: 90 (seconds), 500ms, 90s, 5m, 2h, 1d, 2.5m; 0 or none means no limit.
IDs: a unique prefix, a unique --name, or a live pid; session ids: a unique prefix.
NAME: claude-code (default), gemini, codex.
`;

const synopses = Object.values(HELP).flatMap((help) => help.synopsis.map((s) => `supervise ${s}`));

export const USAGE = `usage: ${synopses.join("\n       ")}

${HELP.run!.about}

run options:
${RUN_OPTIONS.map((line) => `  ${line}`).join("\n")}

${FOOTER}
run's exit status: ${HELP.run!.exits.replace("\n", " ")}.
`;

/** `supervise CMD --help`: its synopsis, what it does, its options, one example, its exit status. */
export function commandHelp(name: string): string {
  const help = HELP[name]!;
  const options = help.options.length ? `\noptions:\n${help.options.map((line) => `  ${line}`).join("\n")}\n` : "";
  return `usage: ${help.synopsis.map((s) => `supervise ${s}`).join("\n       ")}

${help.about}
${options}
example: ${help.example}

exit status: ${help.exits}.

${FOOTER}`;
}
