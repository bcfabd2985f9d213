/**
 * Errors typed by what the caller can do about them. The CLI maps each kind to an
 * exit code, so scripts can tell "fix your input" from "this is our bug".
 */
export class CcoError extends Error {
  /** Process exit code the CLI uses for this kind of failure. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The user's config or command line is wrong: fix it and run again (exit 2). */
export class UsageError extends CcoError {
  override readonly exitCode = 2;
}

/** A config file failed validation; the message names the file and key. */
export class ConfigError extends UsageError {
  constructor(
    readonly file: string,
    readonly key: string,
    detail: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ""}${detail}`);
  }
}

/**
 * Input data is bad: a file, row and column are named when known (exit 1).
 * Nothing of the offending input has been kept.
 */
export class InputError extends CcoError {
  constructor(
    readonly file: string,
    detail: string,
    readonly location: { row?: number; column?: string } = {},
    /** The library's own error (an SDK's, a reader's): CCO_DEBUG=1 prints it. */
    options?: { cause?: unknown },
  ) {
    const where = [
      location.row !== undefined ? `row ${location.row}` : "",
      location.column ? `column ${location.column}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    super(`${file}${where ? ` (${where})` : ""}: ${detail}`, options);
  }
}

/** A check on the data failed (reconciliation, conformance, tests): exit 1. */
export class CheckFailedError extends CcoError {}
