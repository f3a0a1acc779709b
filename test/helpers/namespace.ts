// Trials of unledgered-orphan reaping run only inside a PID namespace, never against this
// machine's real processes. `unshare --pid --fork --kill-child --mount-proc` gives a fresh
// pid space whose init is a shell of ours; when the test ends (or fails), killing unshare
// kills that init, and the kernel then kills everything left in the namespace.

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, CLI, type Sandbox } from "./sandbox.ts";

const UNSHARE = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"];

/** Why namespace tests cannot run here, or null when they can. */
export const namespaceUnavailable: string | null = (() => {
  const probe = spawnSync(UNSHARE[0]!, [...UNSHARE.slice(1), "true"], { stdio: "pipe", timeout: 10_000 });
  if (probe.error) return `unshare not runnable: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare --pid failed (needs root or user namespaces): ${String(probe.stderr).trim()}`;
  return null;
})();

if (namespaceUnavailable) console.warn(`SKIPPING PID-namespace reap tests: ${namespaceUnavailable}`);

/**
 * Bash helpers for the scripts: `sv` runs the real CLI; `orphan CMD...` starts CMD so its
 * parent exits at once (it is reparented to the namespace's init) and prints its pid;
 * `alive PID` is zombie-aware; `wait_age PID MS` waits until the process is MS old;
 * `entry_field NAME FIELD` a field of the entry named NAME in `ls --all --json`.
 */
const PRELUDE = String.raw`
set -u
sv() { "$BUN" "$CLI" "$@"; }
orphan() { local f; f=$(mktemp -p "$D"); ( "$@" </dev/null >/dev/null 2>&1 & echo $! > "$f" ); cat "$f"; }
# Fields after the ")" that ends comm: 1 is the state, 20 the start time in ticks.
stat_field() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f"$2"; }
alive() { case "$(stat_field "$1" 1)" in ""|Z|X) echo no;; *) echo yes;; esac; }
wait_age() {
  local start end up; start=$(stat_field "$1" 20); end=$((SECONDS + 20))
  while :; do
    up=$(cut -d' ' -f1 /proc/uptime | tr -d .)
    [ $(( (10#$up - start) * 10 )) -ge "$2" ] && return 0
    [ $SECONDS -ge $end ] && { echo "wait_age timed out" >&2; return 1; }
    sleep 0.05
  done
}
entry_field() { sv ls --all --json | "$BUN" -e 'const e = (await Bun.stdin.json()).find((x) => x.name === process.argv.at(-2)); console.log(e?.[process.argv.at(-1)] ?? "")' "$1" "$2"; }
wait_until() { local end=$((SECONDS + 20)); until eval "$1"; do [ $SECONDS -ge $end ] && { echo "timed out: $1" >&2; return 1; }; sleep 0.02; done; }
mkdir -p "$D/b" "$D/s"
ln -sf /bin/bash "$D/b/rg"
ln -sf "$(command -v sleep)" "$D/s/rg"
`;

export interface NamespaceResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** `KEY value` lines the script printed, by key. */
  values: Map<string, string>;
}

/** Runs SCRIPT (bash) as pid 2 of a new PID namespace, with the sandbox's environment. */
export async function inNamespace(sb: Sandbox, script: string, timeoutMs = 60_000): Promise<NamespaceResult> {
  const path = join(sb.dir, "scenario.sh");
  writeFileSync(path, PRELUDE + script);
  // pid 1 only waits for the scenario, so the scenario's own children are not orphans.
  const proc = Bun.spawn([...UNSHARE, "bash", "-c", 'bash "$0"; exit $?', path], {
    env: { ...sb.env, BUN, CLI, D: sb.dir },
    cwd: sb.dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    const values = new Map<string, string>();
    for (const line of stdout.split("\n")) {
      const at = line.indexOf(" ");
      if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
    }
    return { stdout, stderr, exitCode, values };
  } finally {
    clearTimeout(timer);
  }
}
