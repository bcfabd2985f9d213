/** `cco` as a user runs it, a child process through bin/cco.js, for the service's command tests. */
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const ENTRY = [path.join(ROOT, "bin/cco.js")];

export function ccoSync(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...ENTRY, ...args], {
    encoding: "utf8",
    env: { ...process.env, CCO_DEBUG: "", ...options.env },
    input: options.input,
    cwd: options.cwd ?? ROOT,
  });
}

export function ccoSpawn(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildProcess {
  return spawn(process.execPath, [...ENTRY, ...args], {
    env: { ...process.env, CCO_DEBUG: "", ...options.env },
    cwd: options.cwd ?? ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A running `cco serve`: its output so far, its URL once it listens, and how it exited. */
export function serveProcess(args: string[], env: NodeJS.ProcessEnv) {
  const child = ccoSpawn(["serve", "--port", "0", ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // The address line on stderr comes once everything has started.
  const url = new Promise<string>((resolve, reject) => {
    const look = () => {
      const m = /^cco serve: (http:\/\/\S+?)\/ /m.exec(stderr);
      if (m) resolve(m[1]!);
    };
    child.stderr!.on("data", look);
    exited.then((code) => reject(new Error(`cco serve exited ${code} before listening:\n${stderr}`)));
  });
  return {
    child,
    url,
    exited,
    output: () => ({ stdout, stderr }),
    logLines: () =>
      stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
