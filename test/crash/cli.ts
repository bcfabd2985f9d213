/**
 * The real `cco` (bin/cco.js) as its own process, killed with SIGKILL after a delay: what an
 * out-of-memory killer or a power cut does to a running stage. Environment variables that would
 * point it elsewhere are dropped, as test/actions/executor/cco-cli.ts does.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureCompiled } from "../../bin/compile.js";

const CCO = path.resolve(import.meta.dirname, "../../bin/cco.js");

export interface CcoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit. */
  ms: number;
  stdout: string;
  stderr: string;
}

/** Run `cco --quiet --data-dir <dataDir> <args>` in the data dir; SIGKILL it after `killAfterMs` if still running. */
export async function runCco(
  dataDir: string,
  args: string[],
  options: { killAfterMs?: number; env?: Record<string, string> } = {},
): Promise<CcoRun> {
  // A source another helper just saved would make this start compile dist/ first: do it here,
  // so the kill lands in the stage and not in the compiler.
  await ensureCompiled();
  const { CCO_FAULT, CCO_CONFIG, CCO_DATA_DIR, CCO_WAREHOUSE, ...inherited } = process.env;
  const started = performance.now();
  const child = spawn(process.execPath, [CCO, "--quiet", "--data-dir", dataDir, ...args], {
    cwd: dataDir,
    env: { ...inherited, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const timer =
    options.killAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: performance.now() - started, stdout, stderr });
    });
  });
}

/** A run that must succeed; its --json output parsed. */
export async function ccoJson<T>(dataDir: string, args: string[]): Promise<T> {
  const run = await runCco(dataDir, ["--json", ...args]);
  if (run.code !== 0)
    throw new Error(`cco ${args.join(" ")} exited ${run.code ?? run.signal}:\n${run.stderr}\n${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}
