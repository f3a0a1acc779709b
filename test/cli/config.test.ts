import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.ts";
import { lsAll } from "../helpers/ledger.ts";
import { BUN, CLI, makeSandbox, type Sandbox } from "../helpers/sandbox.ts";
import { DEFAULT_CONFIG } from "../../src/config/defaults.ts";

setDefaultTimeout(20_000);
let sb: Sandbox;
afterEach(async () => sb?.cleanup());

/** A sandbox without SUPERVISE_CONFIG, with its own XDG config home and a project tree. */
function discoverySandbox() {
  sb = makeSandbox();
  const { SUPERVISE_CONFIG: _drop, ...env } = sb.env;
  const xdg = join(sb.dir, "xdg");
  const project = join(sb.dir, "project");
  const deep = join(project, "a", "b");
  mkdirSync(join(xdg, "supervise"), { recursive: true });
  mkdirSync(deep, { recursive: true });
  sb.env = { ...env, XDG_CONFIG_HOME: xdg, HOME: sb.dir };
  return { user: join(xdg, "supervise", "config.json"), project, deep };
}

async function effective(args: string[] = [], cwd?: string) {
  const r = await runCli(sb, ["config", ...args], { cwd });
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout);
}

const narrowOnly = (key: string, file: string) => `supervise: ignoring ${key} in ${file}: a project's config may only narrow what supervise ends\n`;

describe("config", () => {
  test("defaults when no file exists", async () => {
    discoverySandbox();
    expect(await effective()).toEqual(DEFAULT_CONFIG);
  });

  test("the nearest .supervise.json merges over the user file, key by key; lists add to the built-in ones", async () => {
    const { user, project, deep } = discoverySandbox();
    writeFileSync(user, JSON.stringify({ run: { deadline: "2h", grace: "9s" }, reap: { protect: ["x"] } }));
    writeFileSync(join(project, ".supervise.json"), JSON.stringify({ run: { deadline: "3h" }, reap: { protect: ["y"] } }));
    const config = await effective([], deep);
    expect(config.run).toEqual({ deadline: "3h", grace: "9s", signal: "TERM", onOrphan: "kill", captureMaxBytes: 8 * 1024 * 1024, stallAfter: "10m", idleTimeout: "none" });
    expect(config.reap.protect).toEqual([...DEFAULT_CONFIG.reap.protect, "x", "y"]);
  });

  test("a user's sessionKeep adds to the built-in list, and \"!tmux\" removes tmux", async () => {
    const { user } = discoverySandbox();
    writeFileSync(user, JSON.stringify({ reap: { sessionKeep: ["foo"] } }));
    expect((await effective()).reap.sessionKeep).toEqual([...DEFAULT_CONFIG.reap.sessionKeep, "foo"]);
    writeFileSync(user, JSON.stringify({ reap: { sessionKeep: ["foo", "!tmux"] } }));
    expect((await effective()).reap.sessionKeep).toEqual([...DEFAULT_CONFIG.reap.sessionKeep.filter((n) => n !== "tmux"), "foo"]);
  });

  test("a project's widening keys are ignored, one stderr line each naming the file and the key", async () => {
    const { user, project, deep } = discoverySandbox();
    writeFileSync(user, JSON.stringify({ reap: { thresholds: { sessionGone: "2m" } } }));
    const file = join(project, ".supervise.json");
    writeFileSync(
      file,
      JSON.stringify({
        run: { onOrphan: "keep", deadline: "5m" },
        reap: { targets: { rg: ["ssh-agent", "tmux", "sleep"] }, thresholds: { rg: "1s", agentShell: "1h", sessionGone: "1m" }, protect: [], sessionKeep: ["!tmux", "foo"] },
        hooks: { sessionEndKillOn: ["clear"], preToolUseDecision: "allow" },
      }),
    );
    const r = await runCli(sb, ["config"], { cwd: deep });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe(
      [
        narrowOnly("run.deadline", file),
        narrowOnly("reap.thresholds.rg", file),
        narrowOnly("reap.thresholds.sessionGone", file),
        narrowOnly("reap.targets.rg", file),
        `supervise: ignoring "!tmux" in reap.sessionKeep in ${file}: a project's config may only narrow what supervise ends\n`,
        narrowOnly("hooks.sessionEndKillOn", file),
        narrowOnly("hooks.preToolUseDecision", file),
      ].join(""),
    );
    const config = JSON.parse(r.stdout);
    expect(config.run).toMatchObject({ onOrphan: "keep", deadline: "1h" });
    expect(config.reap.targets).toEqual(DEFAULT_CONFIG.reap.targets);
    expect(config.reap.thresholds).toEqual({ ...DEFAULT_CONFIG.reap.thresholds, agentShell: "1h", sessionGone: "2m" });
    expect(config.reap.protect).toEqual(DEFAULT_CONFIG.reap.protect);
    expect(config.reap.sessionKeep).toEqual([...DEFAULT_CONFIG.reap.sessionKeep, "foo"]);
    expect(config.hooks).toMatchObject({ sessionEndKillOn: DEFAULT_CONFIG.hooks.sessionEndKillOn, preToolUseDecision: "none" });
  });

  test("the ignored-key line is said by every command that loads the config, also from the validation cache", async () => {
    const { project } = discoverySandbox();
    const file = join(project, ".supervise.json");
    writeFileSync(file, JSON.stringify({ reap: { targets: { rg: ["sleep"] } } }));
    for (let i = 0; i < 2; i++) {
      const r = await runCli(sb, ["run", "--", "true"], { cwd: project });
      expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code: 0, stderr: narrowOnly("reap.targets.rg", file) });
    }
    const cache = JSON.parse(await Bun.file(join(sb.home, "config-cache.json")).text());
    expect(cache.slots).toHaveLength(1);
    expect(cache.slots[0].config.reap.targets).toEqual(DEFAULT_CONFIG.reap.targets);
  });

  test("--origins names the source of each value a file set, and the ignored keys with their file", async () => {
    const { user, project } = discoverySandbox();
    writeFileSync(user, JSON.stringify({ run: { deadline: "2h" }, reap: { sessionKeep: ["foo", "!emacs"] } }));
    const file = join(project, ".supervise.json");
    writeFileSync(file, JSON.stringify({ run: { grace: "1s" }, reap: { targets: { rg: ["sleep"] }, protect: ["mine"] } }));
    const r = await runCli(sb, ["config", "--origins"], { cwd: project });
    expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(r.stdout).toBe(
      [
        `reap.protect      default + project ${file}`,
        `reap.sessionKeep  default + user ${user}`,
        `run.deadline      user ${user}`,
        `run.grace         project ${file}`,
        `reap.targets.rg   ignored in project ${file}`,
        "",
      ].join("\n"),
    );
    expect((await runCli(sb, ["config", "--origins"], { cwd: sb.dir })).stdout).toBe(
      `reap.sessionKeep  default + user ${user}\nrun.deadline      user ${user}\n`,
    );
    writeFileSync(user, "{}");
    expect((await runCli(sb, ["config", "--origins"], { cwd: sb.dir })).stdout).toBe("every value is the default\n");
  });

  test("a removed working directory: the config is still found upward from where it was", async () => {
    const { project } = discoverySandbox();
    writeFileSync(join(project, ".supervise.json"), JSON.stringify({ run: { grace: "7s" } }));
    const gone = join(project, "gone");
    mkdirSync(gone);
    const proc = Bun.spawn(["bash", "-c", 'cd "$0" && rmdir "$0" && exec "$@"', gone, BUN, CLI, "config"], { env: sb.env, stdout: "pipe", stderr: "pipe" });
    sb.track(proc.pid);
    const [stdout, stderr, code] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout).run.grace).toBe("7s");
  });

  test("$SUPERVISE_CONFIG and --config replace discovery", async () => {
    const { project } = discoverySandbox();
    writeFileSync(join(project, ".supervise.json"), JSON.stringify({ run: { deadline: "5m" } }));
    const explicit = join(sb.dir, "explicit.json");
    writeFileSync(explicit, JSON.stringify({ run: { grace: "1s" } }));
    expect((await effective(["--config", explicit], project)).run.deadline).toBe("1h");
    sb.env.SUPERVISE_CONFIG = explicit;
    expect((await effective([], project)).run.grace).toBe("1s");
  });

  test("legacy .moai/config.json sets reap.timeoutMs and gracefulDegradation only when nothing newer does", async () => {
    const { user, project, deep } = discoverySandbox();
    mkdirSync(join(project, ".moai"));
    writeFileSync(join(project, ".moai", "config.json"), JSON.stringify({ hooks: { timeout_ms: 1234, graceful_degradation: false }, other: 1 }));
    let config = await effective([], deep);
    expect(config.reap.timeoutMs).toBe(1234);
    expect(config.reap.gracefulDegradation).toBe(false);
    writeFileSync(user, JSON.stringify({ reap: { timeoutMs: 999 } }));
    config = await effective([], deep);
    expect(config.reap.timeoutMs).toBe(999);
    expect(config.reap.gracefulDegradation).toBe(false);
  });

  test.each([
    // In the CLI's own words, with "did you mean" for a typo: never zod's or a regular expression's text.
    [{ run: { deadlin: "5m" } }, "unknown key 'run.deadlin' (did you mean 'run.deadline'?)\n"],
    [{ bogus: 1 }, "unknown key 'bogus'\n"],
    [{ reap: { thresholds: { rgg: "1m" } } }, "unknown key 'reap.thresholds.rgg' (did you mean 'reap.thresholds.rg'?)\n"],
    [{ run: { deadline: "5x" } }, 'invalid duration for run.deadline: "5x" (examples: 90, 500ms, 5m, 2h, 1d, none)\n'],
    [{ run: { deadline: -3 } }, "invalid duration for run.deadline: -3 (examples: 90, 500ms, 5m, 2h, 1d, none)\n"],
    [{ run: { signal: "NOPE" } }, 'invalid signal for run.signal: "NOPE" (examples: TERM, INT, KILL, 15)\n'],
    [{ run: { onOrphan: "maybe" } }, 'invalid run.onOrphan: "maybe" (one of "kill", "keep")\n'],
    [{ reap: { timeoutMs: "5000" } }, 'invalid reap.timeoutMs: "5000" (expected a number)\n'],
    [{ reap: { tagPattern: "([" } }, 'invalid reap.tagPattern: "([" (not a valid regular expression)\n'],
    [{ hooks: { preToolUseDecision: "deny" } }, 'invalid hooks.preToolUseDecision: "deny" (one of "none", "ask", "allow")\n'],
    [[], "invalid config: [] (expected an object)\n"],
  ])("a bad config names the key: %p", async (config, message) => {
    sb = makeSandbox(config);
    for (const [args, code] of [
      [["config"], 2],
      [["run", "--", "true"], 125],
    ] as const) {
      const r = await runCli(sb, [...args]);
      expect(r.exitCode).toBe(code);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`supervise: config ${sb.configPath}: ${message}`);
      expect(r.stderr).not.toMatch(/Invalid input|must match pattern|\/\^/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  test("invalid JSON and a missing explicit file are named", async () => {
    sb = makeSandbox();
    writeFileSync(sb.configPath, "{ not json");
    let r = await runCli(sb, ["run", "--", "true"]);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain("not valid JSON");
    r = await runCli(sb, ["run", "--config", join(sb.dir, "missing.json"), "--", "true"]);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain("missing.json: cannot read");
  });

  test("run uses the config, and sees a changed file despite the validation cache", async () => {
    sb = makeSandbox({ run: { deadline: "200ms" } });
    expect((await runCli(sb, ["run", "--", "sleep", "30"])).exitCode).toBe(124);
    expect((await runCli(sb, ["run", "--", "sleep", "30"])).exitCode).toBe(124); // served from the cache
    writeFileSync(sb.configPath, JSON.stringify({ run: { deadline: "5m", onOrphan: "keep" } }));
    utimesSync(sb.configPath, new Date(), new Date(Date.now() + 5_000));
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(0);
    const entries = await lsAll(sb);
    expect(Date.parse(entries[2].deadlineAt) - Date.parse(entries[2].startedAt)).toBe(300_000);
    writeFileSync(sb.configPath, JSON.stringify({ run: { bogus: true } }));
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(125);
  });

  test("--schema prints the JSON Schema of the file", async () => {
    sb = makeSandbox();
    const schema = await effective(["--schema"]);
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["run", "reap", "hooks", "gc"]));
    expect(Object.keys(schema.properties.run.properties)).toEqual(["deadline", "grace", "signal", "onOrphan", "captureMaxBytes", "stallAfter", "idleTimeout"]);
  });
});

describe("validated-config cache", () => {
  test("the very first run writes it, so later runs skip zod", async () => {
    sb = makeSandbox({ run: { grace: "2s" } });
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(0);
    const cache = JSON.parse(await Bun.file(join(sb.home, "config-cache.json")).text());
    expect(cache.slots).toHaveLength(1);
    expect(cache.slots[0].config.run.grace).toBe("2s");
  });

  test("a slot written with other defaults (an older version, fewer keys) is not used", async () => {
    sb = makeSandbox({ run: { grace: "2s" } });
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(0);
    const path = join(sb.home, "config-cache.json");
    const cache = JSON.parse(await Bun.file(path).text());
    const [format, defaults, ...sources] = JSON.parse(cache.slots[0].key);
    delete defaults.reap.sessionKeep;
    const stale = { ...cache.slots[0], config: { ...cache.slots[0].config, reap: { ...cache.slots[0].config.reap, sessionKeep: undefined } } };
    await Bun.write(path, JSON.stringify({ slots: [{ ...stale, key: JSON.stringify([format, defaults, ...sources]) }] }));
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(0);
    // Validated again and cached under the current key, ahead of the stale slot.
    const after = JSON.parse(await Bun.file(path).text());
    expect(after.slots).toHaveLength(2);
    expect(after.slots[0].config.reap.sessionKeep).toContain("tmux");
    expect(after.slots[1].config.reap.sessionKeep).toBeUndefined();
  });

  test("a slot merged before config trust (the same defaults and files) is not used", async () => {
    sb = makeSandbox({ run: { grace: "2s" } });
    const s = statSync(sb.configPath);
    // What a version without trust rules cached for this very file: its key has no format.
    const oldKey = JSON.stringify([DEFAULT_CONFIG, ["explicit", sb.configPath, s.ino, s.size, s.mtimeMs, s.ctimeMs]]);
    const widened = { ...DEFAULT_CONFIG, run: { ...DEFAULT_CONFIG.run, grace: "2s", deadline: "7m" } };
    mkdirSync(sb.home, { recursive: true, mode: 0o700 });
    await Bun.write(join(sb.home, "config-cache.json"), JSON.stringify({ slots: [{ key: oldKey, config: widened }] }));
    expect((await runCli(sb, ["run", "--", "true"])).exitCode).toBe(0);
    const [entry] = await lsAll(sb);
    expect(Date.parse(entry!.deadlineAt) - Date.parse(entry!.startedAt)).toBe(3_600_000);
  });
});
