// `supervise reap --dry-run` with 3,000 extra idle processes, against `pgrep --older 300 -x rg`
// and a Python/psutil sweep of the same rules, whole process, interleaved, in one run.
// Targets: at least 3x faster than psutil, and faster than pgrep.
//
// Everything runs inside a PID namespace (`unshare --pid --fork --mount-proc`), so the
// 3,000 processes and the sweep are the namespace's own and nothing on the machine is
// touched; the idle processes are ended by pid at the end (and by the namespace's end).
// Needs root (or user namespaces) and python3-psutil (Debian: apt-get install python3-psutil).
// Usage: bun bench/reap-scan.ts [rounds] [extra-processes]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI, compare, fmt, median, percentile } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 20);
const extra = Number(process.argv[3] ?? 3000);
const inside = process.argv[4] === "--inside";
/** Debian's interpreter, where python3-psutil installs (a pyenv shim earlier on PATH would not see it). */
const PYTHON = "/usr/bin/python3";

// The seed's rules over name, cmdline, create_time and status: what a psutil reaper does.
const PSUTIL_SWEEP = String.raw`
import os, re, time, psutil
me = os.getuid(); now = time.time(); tag = re.compile(r"@(TAG|SPEC|CODE|TEST)\b")
found = []
for p in psutil.process_iter(["pid", "ppid", "name", "cmdline", "create_time", "status", "uids"]):
    i = p.info
    if i["uids"] is None or i["uids"].real != me or i["ppid"] != 1 or i["status"] == psutil.STATUS_ZOMBIE:
        continue
    age = now - (i["create_time"] or now); args = " ".join(i["cmdline"] or [])
    if i["name"] in ("rg", "ripgrep") and (age >= 300 or (tag.search(args) and age >= 180)):
        found.append(i["pid"])
    elif i["name"] in ("bash", "sh", "zsh") and age >= 600 and ".claude/shell-snapshots/" in args:
        found.append(i["pid"])
print(len(found))
`;

if (!inside) {
  const probe = Bun.spawnSync([PYTHON, "-c", "import psutil"], { stderr: "pipe" });
  if (probe.exitCode !== 0) {
    console.error("python3-psutil is missing (Debian: apt-get install python3-psutil)");
    process.exit(2);
  }
  const r = Bun.spawnSync(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", BUN, import.meta.path, String(rounds), String(extra), "--inside"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.exit(r.exitCode ?? 1);
}

const b = benchDir();
const sweepScript = join(b.dir, "psutil_sweep.py");
writeFileSync(sweepScript, PSUTIL_SWEEP);
const idle: Bun.Subprocess[] = [];
try {
  for (let i = 0; i < extra; i++) idle.push(Bun.spawn(["sleep", "100000"], { stdio: ["ignore", "ignore", "ignore"] }));
  const results = compare(
    {
      "empty bun script": [BUN, b.emptyScript],
      "supervise reap --dry-run": [BUN, CLI, "reap", "--dry-run", "--json"],
      "pgrep --older 300 -x rg": ["sh", "-c", "pgrep --older 300 -x rg; true"],
      "psutil sweep": [PYTHON, sweepScript],
    },
    rounds,
    b.env,
    b.dir,
  );
  const processes = Bun.spawnSync(["sh", "-c", "ls -d /proc/[0-9]* | wc -l"]).stdout.toString().trim();
  const reap = median(results["supervise reap --dry-run"]!);
  console.log(`reap scan, ${processes} processes in the namespace, ${rounds} interleaved rounds (median, p90, ratio to supervise)`);
  for (const [name, values] of Object.entries(results)) {
    console.log(`  ${name.padEnd(26)} ${fmt(median(values)).padStart(10)}  p90 ${fmt(percentile(values, 90)).padStart(10)}  ${(median(values) / reap).toFixed(2)}x`);
  }
  const psutil = median(results["psutil sweep"]!) / reap;
  const pgrep = median(results["pgrep --older 300 -x rg"]!) / reap;
  console.log(`psutil / supervise: ${psutil.toFixed(2)}x (target >= 3.00x); pgrep / supervise: ${pgrep.toFixed(2)}x (target > 1.00x)`);
} finally {
  for (const p of idle) p.kill("SIGKILL");
  await Promise.all(idle.map((p) => p.exited));
  b.cleanup();
}
