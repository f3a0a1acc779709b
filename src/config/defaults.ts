// The effective configuration when no file sets anything. Plain data, so the hot path
// (`run`, the hooks) never has to load zod when there is no config file.

export type Duration = string | number;

export interface Config {
  run: {
    deadline: Duration;
    grace: Duration;
    signal: string;
    onOrphan: "kill" | "keep";
    /** `--capture`: bytes kept per entry, the newest (two files of half this each). */
    captureMaxBytes: number;
    /** No CPU or output progress (and no listening socket) this long: the command is said to be stalled. */
    stallAfter: string;
    /** No progress this long ends a command (reason `stalled`); "none": supervise only tells. */
    idleTimeout: string;
  };
  reap: {
    timeoutMs: number;
    gracefulDegradation: boolean;
    grace: Duration;
    historySize: number;
    notifyAbove: number;
    thresholds: { rg: Duration; rgTag: Duration; agentShell: Duration; sessionGone: Duration };
    targets: { rg: string[]; shells: string[] };
    tagPattern: string;
    protect: string[];
    /** Daemons a session may start that serve the user beyond it: never session-gone or SessionEnd targets, nor what runs under them. */
    sessionKeep: string[];
  };
  hooks: {
    sessionEndKillOn: string[];
    preToolUseDecision: "none" | "ask" | "allow";
    /** PreToolUse starts a background sweep at most this often; 0 or none: never. */
    reapInterval: Duration;
    /** The deadline of an agent's wrapped background command; none: its session bounds it. */
    deadline: Duration;
    /** A shell command that signals by name or port (pkill, kill $(lsof …)): ask the user, deny it, or let it run. */
    blindKill: "ask" | "deny" | "off";
  };
  /** Finished entries are removed after `after`, and beyond the newest `keepFinished`. */
  gc: { after: Duration; keepFinished: number };
}

export const DEFAULT_CONFIG: Config = {
  run: { deadline: "1h", grace: "3s", signal: "TERM", onOrphan: "kill", captureMaxBytes: 8 * 1024 * 1024, stallAfter: "10m", idleTimeout: "none" },
  reap: {
    timeoutMs: 5000,
    gracefulDegradation: true,
    grace: "3s",
    historySize: 30,
    notifyAbove: 10,
    thresholds: { rg: "5m", rgTag: "3m", agentShell: "10m", sessionGone: "1m" },
    targets: { rg: ["rg", "ripgrep"], shells: ["bash", "sh", "zsh"] },
    tagPattern: "@(TAG|SPEC|CODE|TEST)\\b",
    protect: ["pytest", "alembic", "docker-compose", "docker compose"],
    sessionKeep: ["tmux", "screen", "zellij", "gpg-agent", "ssh-agent", "keyboxd", "dirmngr", "scdaemon", "gnome-keyring-daemon", "dbus-daemon", "systemd", "emacs"],
  },
  hooks: { sessionEndKillOn: ["logout", "prompt_input_exit", "other", "exit"], preToolUseDecision: "none", reapInterval: "5m", deadline: "none", blindKill: "ask" },
  gc: { after: "7d", keepFinished: 5000 },
};
