// `supervise top [--once] [--session ID] [--sort cpu|mem]`: a live view of what agent sessions
// and supervise entries run, refreshed every 2 s (a full look every 10 s, the rows shown read
// again in between: src/top/refresh.ts): c and m sort, q quits. On a terminal it draws
// in the alternate screen; elsewhere it prints one frame after another (as `top -b`).
// `--once` prints one frame, its CPU measured over one second.

import { writeOut } from "../cli/output.ts";
import { colorEnabled, isTerminal, terminalWidth } from "../cli/terminal.ts";
import { parseOptions, stringOption } from "../cli/parse-options.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "../errors.ts";
import { matchSession } from "../ledger/resolve.ts";
import { ownedNow, type ShownProcess } from "../ownership/owned-now.ts";
import type { SnapshotMemo } from "../reap/snapshot.ts";
import { stateDir } from "../state-dir.ts";
import { cpuRates, renderFrame, type SortKey } from "../top/frame.ts";
import { refreshRows } from "../top/refresh.ts";

const REFRESH_MS = 2_000;
/** Every this many refreshes, a full look: what started meanwhile shows then (within 10 s). */
const FULL_LOOK_EVERY = 5;
const ONCE_WINDOW_MS = 1_000;
/** The alternate screen with the cursor hidden, and back. */
const ENTER = "\x1b[?1049h\x1b[?25l";
const LEAVE = "\x1b[?25h\x1b[?1049l";
const HOME_CLEAR = "\x1b[H\x1b[2J";

export default async function top(args: string[]): Promise<number> {
  const { options } = parseOptions(args, { once: {}, session: { value: true }, sort: { value: true }, config: { value: true } }, { positionals: 0 });
  let sort = sortKey(stringOption(options, "sort") ?? "cpu");
  const session = stringOption(options, "session");
  const dir = stateDir();
  const { config } = await loadConfig({ configPath: stringOption(options, "config"), stateDir: dir });
  // What does not change while a process lives is read once: each refresh reads little more than stat.
  const memo: SnapshotMemo = new Map();
  const look = async () => {
    const { rows, startTicks } = await ownedNow(dir, config, memo);
    return { rows: inSession(rows, session), startTicks };
  };
  const draw = async (rows: ShownProcess[], before: Map<number, number> | null, windowMs: number, keys: boolean) =>
    renderFrame({ rows: cpuRates(rows, before, windowMs), now: Date.now(), windowMs, sort, width: await terminalWidth(1), colour: await colorEnabled(1), keys });

  if (options.once) {
    const first = await look();
    await Bun.sleep(ONCE_WINDOW_MS);
    await writeOut(await draw((await look()).rows, cpuSeconds(first.rows), ONCE_WINDOW_MS, false));
    return 0;
  }
  const screen = await isTerminal(1);
  const keys = (await isTerminal(0)) ? readKeys() : null;
  let before: Map<number, number> | null = null;
  let lookedAt = Date.now();
  let rows: ShownProcess[] = [];
  let identities = new Map<number, number>();
  if (screen) await writeOut(ENTER);
  try {
    for (let refresh = 0; ; refresh++) {
      if (refresh % FULL_LOOK_EVERY === 0) ({ rows, startTicks: identities } = await look());
      else rows = refreshRows(rows, identities);
      const now = Date.now();
      const frame = await draw(rows, before, before === null ? 0 : now - lookedAt, keys !== null);
      await writeOut(screen ? HOME_CLEAR + frame : `${frame}\n`);
      [before, lookedAt] = [cpuSeconds(rows), now];
      const key = await (keys?.next(REFRESH_MS) ?? Bun.sleep(REFRESH_MS).then(() => null));
      if (key === "q" || key === "\x03" || key === "\x04") return 0;
      if (key === "c" || key === "m") sort = key === "c" ? "cpu" : "mem";
    }
  } finally {
    keys?.close();
    if (screen) await writeOut(LEAVE);
  }
}

function sortKey(text: string): SortKey {
  if (text === "cpu" || text === "mem") return text;
  throw new UsageError(`--sort: '${text}' is not cpu or mem`);
}

function inSession(rows: ShownProcess[], session: string | undefined): ShownProcess[] {
  if (session === undefined) return rows;
  const named = matchSession(rows.flatMap((row) => (row.session === null ? [] : [row.session])), session) ?? session;
  return rows.filter((row) => row.session === named);
}

function cpuSeconds(rows: readonly ShownProcess[]): Map<number, number> {
  return new Map(rows.map((row) => [row.pid, row.cpuSeconds]));
}

/** The terminal's keys, one at a time, in raw mode until closed; next() waits at most `ms`, null when none came. */
function readKeys(): { next(ms: number): Promise<string | null>; close(): void } {
  const stdin = process.stdin;
  const pending: string[] = [];
  let wake: (() => void) | null = null;
  const onData = (chunk: Buffer) => {
    for (const key of chunk.toString("utf8")) pending.push(key);
    wake?.();
  };
  stdin.setRawMode?.(true);
  stdin.on("data", onData);
  stdin.resume();
  return {
    async next(ms) {
      if (pending.length === 0) {
        let timer: Timer | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, ms);
        });
        clearTimeout(timer);
        wake = null;
      }
      return pending.shift() ?? null;
    },
    close() {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
    },
  };
}
