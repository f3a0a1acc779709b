// N concurrent `supervise run -- true` on one new ledger, in a state dir of its own: what the
// ledger lost. Printed: how many runs exited non-zero, how many printed a warning, and of the
// rows: never recorded, no pid recorded, no end recorded (it would read `lost`), no exit
// status. Target: every figure 0. --locked MS: a writer holds the ledger's lock for MS first,
// while the runs start (longer than a wrapper's busy timeout, it makes each write wait).
// The peer, in the same run: the same N commands at once under GNU timeout (which records
// nothing), for the wall-time ratio.
// Usage: bun bench/run-load.ts [N] [--locked MS]

import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { benchDir, BUN, CLI } from "./lib.ts";

const n = Number(process.argv[2] ?? 1000);
const lockedAt = process.argv.indexOf("--locked");
const lockMs = lockedAt === -1 ? 0 : Number(process.argv[lockedAt + 1]);

export interface LoadResult {
  runs: number;
  failed: number;
  warned: number;
  /** The first few distinct warning lines. */
  warnings: string[];
  missing: number;
  noPid: number;
  noEnd: number;
  noStatus: number;
  wallMs: number;
}

/** Runs `n` wrappers at once against the state dir in env.SUPERVISE_HOME and counts what was lost. */
export async function runLoad(n: number, env: Record<string, string>, cwd: string, lockMs = 0): Promise<LoadResult> {
  const home = env.SUPERVISE_HOME!;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const lock = lockMs > 0 ? await holdLock(join(home, "ledger.db"), lockMs, env) : null;
  const started = performance.now();
  const runs = Array.from({ length: n }, (_, i) =>
    Bun.spawn([BUN, CLI, "run", "-n", `load-${i}`, "--", "true"], { env, cwd, stdin: "ignore", stdout: "ignore", stderr: "pipe" }),
  );
  const results = await Promise.all(runs.map(async (p) => ({ stderr: await p.stderr.text(), exitCode: await p.exited })));
  const wallMs = performance.now() - started;
  await lock?.exited;
  const rows = readRows(join(home, "ledger.db"));
  const byName = new Map(rows.map((row) => [row.name, row]));
  const warnings = results.filter((r) => r.stderr !== "").map((r) => r.stderr.trim());
  let missing = 0;
  let noPid = 0;
  let noEnd = 0;
  let noStatus = 0;
  for (let i = 0; i < n; i++) {
    const row = byName.get(`load-${i}`);
    if (!row) {
      missing++;
      continue;
    }
    if (row.pid === null) noPid++;
    if (row.ended_at === null) noEnd++;
    if (row.exit_status === null) noStatus++;
  }
  return { runs: n, failed: results.filter((r) => r.exitCode !== 0).length, warned: warnings.length, warnings: [...new Set(warnings)].slice(0, 5), missing, noPid, noEnd, noStatus, wallMs };
}

interface Row {
  name: string;
  pid: number | null;
  ended_at: number | null;
  exit_status: number | null;
}

function readRows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 10000");
    return db.query("SELECT name, pid, ended_at, exit_status FROM entries").all() as Row[];
  } finally {
    db.close();
  }
}

/** The peer: `n` concurrent `timeout 1h true`; its wall time in ms. */
export async function runPeer(n: number, env: Record<string, string>, cwd: string): Promise<number> {
  const started = performance.now();
  const runs = Array.from({ length: n }, () => Bun.spawn(["timeout", "1h", "true"], { env, cwd, stdin: "ignore", stdout: "ignore", stderr: "ignore" }));
  await Promise.all(runs.map((p) => p.exited));
  return performance.now() - started;
}

/** Another writer: creates the ledger, then holds its write lock for `ms`. Resolves once it holds it. */
async function holdLock(path: string, ms: number, env: Record<string, string>): Promise<Bun.Subprocess> {
  // The ledger's schema first, through the CLI, so the holder locks a real ledger.
  Bun.spawnSync([BUN, CLI, "run", "--", "true"], { env, stdio: ["ignore", "ignore", "inherit"] });
  const script = `const { Database } = require("bun:sqlite"); const db = new Database(process.argv[1]); db.run("BEGIN IMMEDIATE"); console.log("locked"); await Bun.sleep(Number(process.argv[2])); db.run("ROLLBACK"); db.close();`;
  const holder = Bun.spawn([BUN, "-e", script, path, String(ms)], { env, stdout: "pipe", stderr: "inherit" });
  const reader = holder.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return holder;
}

if (import.meta.main) {
  const b = benchDir();
  try {
    const peerMs = await runPeer(n, b.env, b.dir);
    const r = await runLoad(n, b.env, b.dir, lockMs);
    console.log(`${r.runs} concurrent \`supervise run -- true\`${lockMs ? `, the ledger locked for ${lockMs} ms first` : ""}: ${(r.wallMs / 1000).toFixed(1)} s`);
    console.log(`  peer: ${n} concurrent \`timeout 1h true\`: ${(peerMs / 1000).toFixed(2)} s (supervise ${(r.wallMs / peerMs).toFixed(1)}x)`);
    console.log(`  exited non-zero      ${r.failed}`);
    console.log(`  printed a warning    ${r.warned}`);
    console.log(`  never recorded       ${r.missing}`);
    console.log(`  no pid recorded      ${r.noPid}`);
    console.log(`  no end recorded      ${r.noEnd}`);
    console.log(`  no exit status       ${r.noStatus}`);
    for (const w of r.warnings) console.log(`  e.g. ${w}`);
    const lost = r.failed + r.warned + r.missing + r.noPid + r.noEnd + r.noStatus;
    console.log(lost === 0 ? "nothing lost (target 0)" : `LOST: ${lost} (target 0)`);
  } finally {
    b.cleanup();
  }
}
