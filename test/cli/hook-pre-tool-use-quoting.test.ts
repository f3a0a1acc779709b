// Property: for generated command strings full of quotes, backslashes, `$`, backticks,
// `;&|<>`, unicode, here-docs and newlines, the command PreToolUse writes (its policy mirror
// included), run by bash, prints exactly what the original prints and exits with the same
// status, and the run is in the ledger under the session. Every fourth command takes the way
// of a long one: its text in a file that `run --arg-file` reads. The generator is seeded: a
// failure names its seed.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { withPolicyMirror, wrapCommand } from "../../src/hooks/wrap-background.ts";
import { nextCommandFile, writeCommandFile } from "../../src/run/arg-file.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

setDefaultTimeout(240_000);
// 100 by default; QUOTING_COUNT=1000 for the full run.
const COUNT = Number(process.env.QUOTING_COUNT ?? 100);
const SEED = Number(process.env.QUOTING_SEED ?? 20261123);
const PARALLEL = 8;

/** mulberry32: small, fast, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [..."'\"\\$`;&|<>(){}[]*?!#~ \t\n=%,.:/-+^", "é", "日本", "🙂", "\u200b", "\u00a0"];
const WORDY = [..."abcxyzABC0123456789_"];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const text = (max: number, alphabet = [...HOSTILE, ...WORDY]) => Array.from({ length: Math.floor(r() * max) }, () => pick(alphabet)).join("");

  // Ways to write an arbitrary text as one shell word.
  const singleQuoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const doubleQuoted = (s: string) => `"${s.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
  const dollarQuoted = (s: string) => `$'${[...s].map((c) => (/[A-Za-z0-9 ]/.test(c) ? c : [...new TextEncoder().encode(c)].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join(""))).join("")}'`;
  const backslashed = (s: string) => [...s].map((c) => (c === "\n" ? "'\n'" : /[A-Za-z0-9]/.test(c) ? c : `\\${c}`)).join("");
  const word = () => pick([singleQuoted, doubleQuoted, dollarQuoted, backslashed])(text(12));

  const simple = (): string =>
    pick([
      () => `printf '%s|' ${word()} ${word()}`,
      () => `echo ${word()}`,
      () => `x=$(printf %s ${word()}); printf '[%s]' "$x"`,
      () => `printf %s ${word()} | tr a-z A-Z`,
      () => `printf %s \`printf %s ${word()}\``,
      () => `cat <<'EOF'\n${text(20).replace(/EOF/g, "")}\nEOF`,
      () => `cat <<EOF\nplain ${text(8, WORDY)}\nEOF`,
      () => `(exit ${Math.floor(r() * 4)}) && printf ok || printf no`,
      () => `{ printf %s ${word()}; printf %s ${word()}; }`,
      () => `printf %s ${word()} > /dev/null; printf done`,
      () => `test -n ${word()} && echo nonempty || echo empty`,
      () => `false; echo $?`,
    ])();
  const joiner = () => pick([" ; ", " && ", " || ", " | ", "\n", ";"]);
  const compound = () => {
    const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, simple);
    let out = parts[0]!;
    for (const part of parts.slice(1)) out += joiner() + part;
    if (r() < 0.2) out += `\nexit ${Math.floor(r() * 5)}`;
    return out;
  };
  // Raw hostile text, mostly not valid shell: both sides must fail the same way. Expansions
  // whose value differs between two processes ($$, $PPID, $RANDOM, ...) are left out.
  const raw = () => text(30).replace(/\$(?=[\w$!#?@*{(-])/g, "");
  return () => (r() < 0.15 ? raw() : compound());
}

let sb: Sandbox;
beforeAll(() => {
  sb = makeSandbox({ run: { deadline: "20s", grace: "1s" } });
});
afterAll(async () => sb?.cleanup());

async function bash(command: string): Promise<{ stdout: string; code: number }> {
  const proc = Bun.spawn(["bash", "-c", command], { env: sb.env, cwd: sb.dir, stdin: "ignore", stdout: "pipe", stderr: "ignore" });
  sb.track(proc.pid);
  const [stdout, code] = await Promise.all([proc.stdout.text(), proc.exited]);
  return { stdout, code };
}

describe("the rewritten command runs the original unchanged", () => {
  test(`${COUNT} generated commands (seed ${SEED}): same stdout, same exit status, each run in the ledger`, async () => {
    const next = generator(SEED);
    const commands = Array.from({ length: COUNT }, next);
    const settings = { bun: BUN, cli: CLI, stateDir: sb.home, configPath: sb.configPath, session: "quoting-session", name: null, deadline: "20s" };
    const mismatches: string[] = [];
    for (let i = 0; i < commands.length; i += PARALLEL) {
      await Promise.all(
        commands.slice(i, i + PARALLEL).map(async (command, k) => {
          const argFile = (i + k) % 4 === 3 ? nextCommandFile(sb.home) : undefined;
          if (argFile) writeCommandFile(sb.home, argFile, command);
          const rewrite = withPolicyMirror(command, wrapCommand(command, { ...settings, argFile }));
          const [original, wrapped] = await Promise.all([bash(command), bash(rewrite)]);
          if (original.stdout !== wrapped.stdout || original.code !== wrapped.code) {
            mismatches.push(`#${i + k} ${JSON.stringify(command)}: original ${JSON.stringify(original)} wrapped ${JSON.stringify(wrapped)}`);
          }
        }),
      );
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // A valid-shell share worth the name, not 1,000 syntax errors.
    const db = new Database(join(sb.home, "ledger.db"), { readonly: true });
    db.run("PRAGMA busy_timeout = 5000");
    const rows = db.query("SELECT session, command, state FROM entries").all() as Array<{ session: string; command: string; state: string }>;
    db.close();
    expect(rows).toHaveLength(COUNT);
    expect(rows.every((row) => row.session === "quoting-session" && row.state !== "running")).toBe(true);
    const recorded = new Set(rows.map((row) => JSON.parse(row.command).at(-1)));
    expect(commands.every((command) => recorded.has(command))).toBe(true);
  });
});
