// Shell completion and the man page come from the help table: both name every command and
// every option, bash's completes them for real, and man/supervise.1 is the table's as it is.

import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { completionScript, manPage, optionsOf } from "../../src/cli/completion.ts";
import { HELP } from "../../src/cli/usage.ts";
import { version } from "../../package.json";
import { runCli } from "../helpers/cli.ts";
import { makeSandbox, type Sandbox } from "../helpers/sandbox.ts";

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const COMMANDS = Object.keys(HELP);

/** What bash's completion offers for the words typed so far (the last one being completed). */
function bashCompletes(words: string[]): string[] {
  const script = `${completionScript("bash")}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _supervise; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = Bun.spawnSync(["bash", "-c", script], { stdout: "pipe", stderr: "pipe", cwd: "/" });
  expect(r.stderr.toString()).toBe("");
  return r.stdout.toString().split("\n").filter(Boolean);
}

describe("supervise completion", () => {
  test("bash: commands, then each command's options; after run's -- the command's files", () => {
    expect(bashCompletes(["supervise", "s"]).sort()).toEqual(["show", "stats"]);
    expect(bashCompletes(["supervise", "ls", "--"]).sort()).toEqual(["--all", "--help", "--json", "--session", "--state"]);
    expect(bashCompletes(["supervise", "kill", "-"])).toContain("--grace");
    expect(bashCompletes(["supervise", "run", "--dead"])).toEqual(["--deadline"]);
    expect(bashCompletes(["supervise", "run", "--", "--dead"])).toEqual([]);
  });

  test("every shell's script names every command and every option of each", () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      const script = completionScript(shell)!;
      for (const command of COMMANDS) {
        expect(script, `${shell}: ${command}`).toContain(command);
        for (const option of optionsOf(command)) {
          const spelled = shell === "fish" ? (option.startsWith("--") ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`) : option;
          expect(script, `${shell}: ${command} ${option}`).toContain(spelled);
        }
      }
    }
  });

  test("through the CLI: the script on stdout, exit 0; an unknown shell is exit 2", async () => {
    sb = makeSandbox();
    expect(await runCli(sb, ["completion", "bash"])).toEqual({ exitCode: 0, stdout: completionScript("bash")!, stderr: "" });
    expect(await runCli(sb, ["completion", "tcsh"])).toEqual({ exitCode: 2, stdout: "", stderr: "supervise: name the shell: supervise completion bash, zsh or fish\n" });
  });
});

describe("man/supervise.1", () => {
  test("is the help table's page as it is now (bun scripts/man.ts writes it)", () => {
    expect(readFileSync(join(import.meta.dir, "..", "..", "man", "supervise.1"), "utf8")).toBe(manPage(version));
  });

  test("names every command and option, and man(1) reads it without a warning", () => {
    const page = readFileSync(join(import.meta.dir, "..", "..", "man", "supervise.1"), "utf8").replace(/\\-/g, "-");
    for (const command of COMMANDS) {
      expect(page).toContain(`.SS ${command}`);
      for (const option of optionsOf(command).filter((o) => o !== "--help")) expect(page, `${command} ${option}`).toContain(option);
    }
    // man(1) where the machine has it (a fresh one may not).
    if (Bun.which("man") === null) return;
    const r = Bun.spawnSync(["man", "--warnings", "-l", join(import.meta.dir, "..", "..", "man", "supervise.1")], { stdout: "pipe", stderr: "pipe", env: { ...process.env, MANPAGER: "cat", MANWIDTH: "80" } });
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString()).toContain("SUPERVISE(1)");
  });
});
