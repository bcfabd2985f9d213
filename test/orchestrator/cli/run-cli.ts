/** The CLI as a user runs it: a process through bin/cco.js (the compiled dist/, rebuilt if a source changed). */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import path from "node:path";
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

/** A stack trace's frame line, which no user should see. */
export const STACK_FRAME = /^\s+at .+(:\d+:\d+|\(native\))\)?$/m;
