// Running the real CLI: `bun src/cli.ts ...`, stdout, stderr and exit code together.

import { BUN, CLI, type Sandbox } from "./sandbox.ts";

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
}

export async function runCli(sb: Sandbox, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const proc = Bun.spawn([BUN, CLI, ...args], {
    env: { ...sb.env, ...options.env },
    cwd: options.cwd ?? sb.dir,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  const [stdout, stderr, exitCode] = await Promise.all([proc.stdout.text(), proc.stderr.text(), proc.exited]);
  return { stdout, stderr, exitCode };
}

/** A running CLI whose stdout is read line by line (for handshakes on a child's first output). */
export interface Running {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  nextLine(timeoutMs?: number): Promise<string>;
  /** Resolves once the process exited, with everything it printed. */
  finish(): Promise<CliResult>;
}

export function startCli(sb: Sandbox, args: string[], options: CliOptions = {}): Running {
  const proc = Bun.spawn([BUN, CLI, ...args], {
    env: { ...sb.env, ...options.env },
    cwd: options.cwd ?? sb.dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  sb.track(proc.pid);
  return linesOf(proc);
}

export function linesOf(proc: Bun.Subprocess<any, "pipe", "pipe">): Running {
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let all = "";
  let done = false;
  const stderr = proc.stderr.text();

  const pull = async (): Promise<boolean> => {
    const { value, done: ended } = await reader.read();
    if (ended) {
      done = true;
      return false;
    }
    const text = decoder.decode(value, { stream: true });
    buffered += text;
    all += text;
    return true;
  };

  return {
    proc,
    async nextLine(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!buffered.includes("\n")) {
        if (done) throw new Error(`stdout ended before a line arrived (had ${JSON.stringify(buffered)})`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("timed out waiting for a line");
        const more = await Promise.race([pull(), Bun.sleep(left).then(() => null)]);
        if (more === null) throw new Error("timed out waiting for a line");
      }
      const at = buffered.indexOf("\n");
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      return line;
    },
    async finish() {
      while (!done && (await pull()));
      const exitCode = await proc.exited;
      return { stdout: all, stderr: await stderr, exitCode };
    },
  };
}
