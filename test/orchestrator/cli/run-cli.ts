/** The CLI as a user runs it: a process through bin/cco.js (the compiled dist/, rebuilt if a source changed). */
import { execFile, type SpawnSyncReturns, spawnSync } from "node:child_process";
import path from "node:path";
import { vi } from "vitest";
import { cleanUp } from "../../../orchestrator/cli/context.ts";
import { buildCli, reportError } from "../../../orchestrator/cli/index.ts";
import { tempDir } from "../../helpers/tmp.ts";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

export function cco(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(ROOT, "bin/cco.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, CCO_DEBUG: "", ...options.env },
    cwd: options.cwd ?? tempDir(),
  });
}

/** The same, without blocking this process: for tests whose local servers answer the CLI from here. */
export function ccoAsync(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin/cco.js"), ...args],
      { env: { ...process.env, CCO_DEBUG: "", ...env }, cwd: tempDir(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A stack trace's frame line, which no user should see. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+|\(native\))\)?$/m;

export interface CliOutcome {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI in the test's own process, as main() runs it (exit code, reportError, cleanUp), with
 * stdout and stderr captured: for commands whose effects a test inspects in the same process.
 */
export async function ccoInProcess(args: string[]): Promise<CliOutcome> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
  let status: number;
  try {
    await buildCli().parseAsync(args, { from: "user" });
    status = typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    status = reportError(error);
  } finally {
    await cleanUp();
    process.exitCode = undefined;
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { status, stdout: out.join(""), stderr: err.join("") };
}
