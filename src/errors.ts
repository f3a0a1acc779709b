// Typed errors carry the exit code so that src/cli.ts is the one place that exits.

export interface SuperviseErrorOptions {
  exitCode?: number;
  code?: string;
  cause?: unknown;
}

export class SuperviseError extends Error {
  readonly exitCode: number;
  readonly code: string;

  constructor(message: string, options: SuperviseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SuperviseError";
    this.exitCode = options.exitCode ?? 1;
    this.code = options.code ?? "supervise.error";
  }
}

/** Bad flags, values or arguments. `run` uses 125 (like GNU timeout); other commands use 2. */
export class UsageError extends SuperviseError {
  constructor(message: string, exitCode = 2) {
    super(message, { exitCode, code: "supervise.usage" });
    this.name = "UsageError";
  }
}

/** Re-throw a usage error with another exit code (a parser shared by `run` and other commands). */
export function withExitCode(error: unknown, exitCode: number): unknown {
  if (error instanceof UsageError && error.exitCode !== exitCode) return new UsageError(error.message, exitCode);
  return error;
}
