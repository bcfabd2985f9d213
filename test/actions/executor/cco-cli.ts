/**
 * The real `cco` command (bin/cco.js, the compiled dist/) as a user runs it: its own process, in
 * the project folder (the data dir holds cco.config.yaml), with --data-dir. Environment variables
 * that would point it elsewhere are dropped; `env` adds CCO_FAULT and the like.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import path from "node:path";
import { ensureCompiled } from "../../../bin/compile.js";

const CCO = path.resolve(import.meta.dirname, "../../../bin/cco.js");

/** Build dist/ once up front, so the first timed or killed process does not pay for it. */
export async function compileCli(): Promise<void> {
  await ensureCompiled();
}

export function cco(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  const { CCO_FAULT, CCO_CONFIG, CCO_DATA_DIR, CCO_WAREHOUSE, ...inherited } = process.env;
  return spawnSync(process.execPath, [CCO, "--quiet", "--data-dir", dataDir, ...args], {
    cwd: dataDir,
    encoding: "utf8",
    env: { ...inherited, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** A command that must succeed; its --json output parsed. */
export function ccoJson<T>(dataDir: string, args: string[], env: Record<string, string> = {}): T {
  const result = cco(dataDir, ["--json", ...args], env);
  if (result.status !== 0)
    throw new Error(
      `cco ${args.join(" ")} exited ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`,
    );
  return JSON.parse(result.stdout) as T;
}
