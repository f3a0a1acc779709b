export const USAGE = `usage: supervise run [OPTIONS] -- COMMAND [ARG...]
       supervise [OPTIONS] COMMAND [ARG...]
       supervise ls [--all] [--session ID] [--json]
       supervise ps [--session ID] [--json] [--config FILE]
       supervise show ID [--json]
       supervise kill ID... | --session ID | --all [--signal SIG] [--grace DUR] [--json]
       supervise wait ID... [--timeout DUR] [--json]
       supervise logs ID [--follow]
       supervise stats [--json]
       supervise gc [--older-than DUR] [--json]
       supervise reap [--dry-run] [--json] [--session ID] [--config FILE]
       supervise hook [--agent NAME] session-start | pre-tool-use | session-end
       supervise install [--agent NAME]... [--user | --project] [--uninstall] [--dry-run]
       supervise config [--schema | --origins] [--config FILE]

Run COMMAND in its own session and process group, recorded in a ledger, and end it
with its whole process tree at its deadline or when its parent dies.

run options:
  -d, --deadline DUR   wall-clock limit (default run.deadline, 1h); 0 or none: no limit
  -g, --grace DUR      time between the first signal and SIGKILL (default 3s)
  -s, --signal SIG     first signal (default TERM)
      --session ID     owning agent session (default $CLAUDE_CODE_SESSION_ID or
                       $CODEX_THREAD_ID, else $SUPERVISE_SESSION)
  -n, --name LABEL     a label shown by ls
      --keep-orphaned  leave the command running when supervise's parent dies, and
                       leave what it started in the background when it exits
      --session-bound  what the command leaves at its exit stays with its session
                       (SessionEnd ends it, or a sweep once the agent is gone); needs a session
      --preserve-status  on deadline, exit with the command's status instead of 124
      --capture        also copy stdout/stderr to <state>/output/<id>.log (supervise logs)
      --config FILE    config file (default $SUPERVISE_CONFIG, .supervise.json upward)
      --arg-file FILE  FILE's contents become the command's last argument

DUR: 90 (seconds), 500ms, 90s, 5m, 2h, 1d, 2.5m; 0 or none means no limit.
IDs may be shortened to any unique prefix. NAME: claude-code (default), gemini, codex.

run's exit status: the command's; 124 deadline; 125 supervise's own error; 126 not
executable; 127 not found; 128+N when ended by signal N.
`;
