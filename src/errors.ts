// Typed errors carry the exit code so that src/cli.ts is the one place that exits.

export interface SuperviseErrorOptions {
  exitCode?: number;
  cause?: unknown;
}

export class SuperviseError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: SuperviseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SuperviseError";
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Bad flags, values, arguments or config: exit 2, which `run` turns into 125 (withExitCode). */
export class UsageError extends SuperviseError {
  constructor(message: string, options: SuperviseErrorOptions = {}) {
    super(message, { exitCode: 2, ...options });
    this.name = "UsageError";
  }
}

/** A usage error with another exit code: `run`'s own failures before the launch are 125, like GNU timeout's. */
export function withExitCode(error: unknown, exitCode: number): unknown {
  if (error instanceof UsageError && error.exitCode !== exitCode) return new UsageError(error.message, { exitCode, cause: error.cause });
  return error;
}
