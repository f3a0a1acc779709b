// What a deadline inside the reaper's scan costs: takeSnapshot with one (each stage's reads
// raced against a timer, the clock read between stages) against without, at about 3,000
// processes, interleaved, in one run. Target: at most 1.1x.
//
// Runs inside a PID namespace (`unshare --pid --fork --mount-proc`): the processes read are
// the namespace's own sleeps, ended by its end. Nothing is signalled.
// Needs root (or user namespaces). Usage: bun bench/scan-deadline.ts [rounds] [processes]

import { fmt, median, percentile } from "./lib.ts";
import { takeSnapshot, type SnapshotNeeds } from "../src/reap/snapshot.ts";

const rounds = Number(process.argv[2] ?? 30);
const total = Number(process.argv[3] ?? 3000);

if (process.argv[4] !== "--inside") {
  const r = Bun.spawnSync(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", process.execPath, import.meta.path, String(rounds), String(total), "--inside"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  process.exit(r.exitCode ?? 1);
}

const holder = Bun.spawn(["sh", "-c", `i=0; while [ $i -lt ${total} ]; do CLAUDE_CODE_SESSION_ID=bench sleep 100000 & i=$((i+1)); done; wait`], { stdio: ["ignore", "ignore", "ignore"] });
const count = () => Number(Bun.spawnSync(["sh", "-c", "ls -d /proc/[0-9]* | wc -l"]).stdout.toString().trim());
for (const deadline = Date.now() + 60_000; count() < total; await Bun.sleep(50)) if (Date.now() > deadline) throw new Error("processes did not start");

// What a sweep asks for: the seed's names, cookies of recent processes, the session scope.
const needs: SnapshotNeeds = { ownUid: process.getuid!(), names: new Set(["rg", "bash", "sh", "zsh"]), cookiesSinceTicks: 0, sessionScope: true };
const time = async (endBy?: number) => {
  const start = performance.now();
  await takeSnapshot({ ...needs, endBy });
  return performance.now() - start;
};
for (let i = 0; i < 3; i++) await time(), await time(Date.now() + 60_000);
const all: number[] = [];
const bounded: number[] = [];
for (let i = 0; i < rounds; i++) {
  all.push(await time());
  bounded.push(await time(Date.now() + 60_000));
}
console.log(`takeSnapshot at ${count()} processes, ${rounds} interleaved rounds (median, p90)`);
console.log(`  no deadline     ${fmt(median(all)).padStart(10)}  p90 ${fmt(percentile(all, 90)).padStart(10)}`);
console.log(`  with a deadline ${fmt(median(bounded)).padStart(10)}  p90 ${fmt(percentile(bounded, 90)).padStart(10)}`);
console.log(`ratio: ${(median(bounded) / median(all)).toFixed(2)}x (target <= 1.10x)`);
holder.kill("SIGKILL");
