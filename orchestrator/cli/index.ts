/**
 * `cco`: the command line of the Cloud Cost Optimizer. One module per command in
 * commands/; each loads what its work needs when it runs, so building the program and
 * printing help load commander and little else.
 *
 * Exit codes: 0 success; 1 the work failed (bad input data, a failed check, a file that
 * cannot be written); 2 usage or config error;
 * 70 an internal error (a bug: its details go to a file, never a stack trace on the terminal).
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { CcoError } from "../../core/errors.ts";
import { shippedFile } from "../../core/paths.ts";
import { register as actions } from "./commands/actions.ts";
import { register as approvals } from "./commands/approvals.ts";
import { register as assistant } from "./commands/assistant.ts";
import { register as audit } from "./commands/audit.ts";
import { register as catalog } from "./commands/catalog.ts";
import { register as config } from "./commands/config.ts";
import { register as generate } from "./commands/generate.ts";
import { register as help } from "./commands/help.ts";
import { register as ingest } from "./commands/ingest.ts";
import { register as ml } from "./commands/ml.ts";
import { register as models } from "./commands/models.ts";
import { register as recommend } from "./commands/recommend.ts";
import { register as report } from "./commands/report.ts";
import { register as run } from "./commands/run.ts";
import { register as sandbox } from "./commands/sandbox.ts";
import { register as schedule } from "./commands/schedule.ts";
import { register as serve } from "./commands/serve.ts";
import { register as sql } from "./commands/sql.ts";
import { register as users } from "./commands/users.ts";
import { cleanUp } from "./context.ts";

export const VERSION: string = JSON.parse(readFileSync(shippedFile("package.json"), "utf8")).version;

export function buildCli(): Command {
  const program = new Command("cco")
    .description(
      "Cloud Cost Optimizer: every provider's bill in one FOCUS warehouse, recommendations, safe actions.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .option("--config <file>", "config file (default: ./cco.config.yaml if present; env CCO_CONFIG)")
    .option(
      "--warehouse <file>",
      "DuckDB warehouse file (env CCO_WAREHOUSE; default <data-dir>/warehouse.duckdb)",
    )
    .option("--data-dir <dir>", "data directory (env CCO_DATA_DIR; default ./data)")
    .option("--json", "machine-readable output on stdout; no progress")
    .option("-q, --quiet", "no progress output")
    .showHelpAfterError("(run with --help for usage)")
    // Errors and --help come back to main() as exceptions instead of process.exit (subcommands inherit this).
    .exitOverride();
  for (const register of [
    generate,
    ingest,
    models,
    ml,
    recommend,
    approvals,
    actions,
    audit,
    report,
    run,
    schedule,
    serve,
    users,
    assistant,
    sandbox,
    sql,
    catalog,
    config,
    help,
  ]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  } finally {
    await cleanUp().catch(() => undefined);
  }
}

/** What a user sees of an error, on stderr, and the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message; --help and --version exit 0, every other parse problem is usage.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CcoError) {
    process.stderr.write(`cco: ${error.message}\n`);
    // What a library said underneath (an SDK's error, with its stack), for a bug report.
    if (process.env.CCO_DEBUG && error.cause !== undefined)
      process.stderr.write(`caused by: ${causeText(error.cause)}\n`);
    return error.exitCode;
  }
  const system = systemError(error);
  if (system) {
    process.stderr.write(`cco: ${system}\n`);
    return 1;
  }
  return internalError(error);
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "not a folder",
  EEXIST: "already exists",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
};

/** A file-system error the user can act on (a path that is missing, unwritable or full), in words. */
function systemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const reason = typeof e?.code === "string" ? SYSTEM_ERRORS[e.code] : undefined;
  if (!reason) return undefined;
  return e?.path ? `${e.path}: ${reason}` : `${reason} (${e?.syscall ?? e?.code})`;
}

/** An error's stack (or message), then its own causes', each on the lines after. */
function causeText(cause: unknown): string {
  const err = cause instanceof Error ? cause : undefined;
  const text = err ? (err.stack ?? err.message) : String(cause);
  return err?.cause !== undefined ? `${text}\ncaused by: ${causeText(err.cause)}` : text;
}

/** A bug: one line on the terminal, the stack in a file (or on stderr with CCO_DEBUG=1). */
export function internalError(error: unknown): number {
  const err = error instanceof Error ? error : new Error(String(error));
  const details = `cco ${VERSION} (node ${process.version})\nargs: ${JSON.stringify(process.argv.slice(2))}\n\n${err.stack ?? err.message}\n`;
  let where = "";
  if (process.env.CCO_DEBUG) {
    process.stderr.write(details);
  } else {
    try {
      const file = path.join(
        os.tmpdir(),
        `cco-internal-error-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.txt`,
      );
      writeFileSync(file, details);
      where = `\n  details: ${file} (please attach it to a bug report; CCO_DEBUG=1 prints them here)`;
    } catch {
      where = "\n  (CCO_DEBUG=1 prints the details)";
    }
  }
  process.stderr.write(`cco: internal error (a bug in cco): ${err.message.split("\n")[0]}${where}\n`);
  return 70;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
