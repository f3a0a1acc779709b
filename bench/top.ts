// `supervise top` on a machine with many processes: its CPU over its 2 s refresh, against
// procps `top -b -d 2` watching the same machine in the same run (target: at most 5% of one
// core at 3,500 processes). The processes are sleeps: most plain, some carrying an agent
// session's cookie (a live one: its agent is the shell that started them), a few entries.
// Usage: bun bench/top.ts [processes] [seconds]

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI } from "./lib.ts";

const count = Number(process.argv[2] ?? 3500);
const seconds = Number(process.argv[3] ?? 20);
const WARM_UP_S = 4;
const b = benchDir();
const TICKS = 100;

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
}

/** CPU of the process in percent of one core, over what follows its warm-up. */
async function cpuOf(cmd: string[]): Promise<number> {
  const proc = Bun.spawn(cmd, { env: b.env, cwd: b.dir, stdin: "ignore", stdout: "ignore", stderr: "inherit" });
  try {
    await Bun.sleep(WARM_UP_S * 1000);
    const [t0, w0] = [cpuTicks(proc.pid), performance.now()];
    await Bun.sleep((seconds - WARM_UP_S) * 1000);
    const [t1, w1] = [cpuTicks(proc.pid), performance.now()];
    return ((t1 - t0) / TICKS / ((w1 - w0) / 1000)) * 100;
  } finally {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

const pidsFile = join(b.dir, "pids");
// The machine's processes: a shell holding `count` sleeps, a tenth of them a session's.
const herd = Bun.spawn(["bash", "-c", `for i in $(seq ${count}); do if [ $((i % 10)) = 0 ]; then CLAUDECODE=1 CLAUDE_CODE_SESSION_ID=bench-$((i % 7)) CLAUDE_PID=$$ sleep 900 & else sleep 900 & fi; echo $! >> "${pidsFile}"; done; echo ready > "${pidsFile}.done"; wait`], { env: b.env, stdio: ["ignore", "ignore", "ignore"] });
const entries: Bun.Subprocess[] = [];
try {
  while (true) {
    try {
      readFileSync(`${pidsFile}.done`);
      break;
    } catch {
      await Bun.sleep(100);
    }
  }
  writeFileSync(b.env.SUPERVISE_CONFIG!, JSON.stringify({ hooks: { reapInterval: "none" } }));
  for (let i = 0; i < 5; i++) entries.push(Bun.spawn([BUN, CLI, "run", "--session", `bench-${i}`, "-n", `entry-${i}`, "--", "sleep", "900"], { env: b.env, cwd: b.dir, stdio: ["ignore", "ignore", "inherit"] }));
  await Bun.sleep(1000);
  const listed = readFileSync("/proc/loadavg", "utf8").split(" ")[3];
  const ours = await cpuOf([BUN, CLI, "top"]);
  const peer = await cpuOf(["top", "-b", "-d", "2"]);
  console.log(`top at ${count} extra processes (running/total: ${listed}), refresh 2 s, CPU over ${seconds - WARM_UP_S} s after a ${WARM_UP_S} s warm-up`);
  console.log(`  supervise top      ${ours.toFixed(2)}% of one core (target <= 5%)`);
  console.log(`  top -b -d 2 (peer) ${peer.toFixed(2)}% of one core`);
  console.log(`  ratio ${(ours / peer).toFixed(2)}x`);
} finally {
  for (const e of entries) e.kill("SIGTERM");
  for (const line of readFileSync(pidsFile, "utf8").split("\n")) if (line) try { process.kill(Number(line), "SIGKILL"); } catch {}
  herd.kill("SIGKILL");
  await Promise.all([herd.exited, ...entries.map((e) => e.exited)]);
  b.cleanup();
}
