/**
 * Builds the Observable Framework site from the marts' Parquet snapshots,
 * offline: client libraries come from node_modules, nothing from a CDN.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { swapDirectory } from "../core/files.ts";
import { createRequire } from "node:module";
import path from "node:path";
import type { Budget } from "../core/config.ts";
import { CcoError } from "../core/errors.ts";
import { shippedFile } from "../core/paths.ts";

// The site's sources ship in the checkout (not beside compiled code in dist/).
const reportsDir = shippedFile("reports");

export interface ReportOptions {
  martsDir: string;
  siteDir: string;
  title: string;
  /** reports.budgets from the config: the executive page compares the month with them. */
  budgets?: Budget[];
}

export async function buildReport(options: ReportOptions): Promise<string> {
  const require = createRequire(import.meta.url);
  const framework = path.join(
    path.dirname(require.resolve("@observablehq/framework/package.json")),
    "dist/bin/observable.js",
  );
  // Framework refuses to overwrite files in an output folder outside its root, and
  // readers must never see half a site: build beside the target, then swap it in.
  const building = `${options.siteDir}.partial`;
  rmSync(building, { recursive: true, force: true });
  const output = await oneBuildAtATime(() => {
    // Framework reuses a data loader's cached output until the loader's own source changes; ours
    // read the marts a build names, so each build starts without cached data (the client
    // libraries' cache stays: it is what lets the site build offline).
    rmSync(path.join(reportsDir, "src", ".observablehq", "cache", "data"), { recursive: true, force: true });
    return runFramework(framework, building, options);
  });
  if (/_npm\//.test(output))
    throw new CcoError("report build fetched a library from the npm CDN; the site must build offline");
  swapDirectory(building, options.siteDir);
  return path.join(options.siteDir, "index.html");
}

/** The build's cache lives in the checkout: builds of different warehouses take turns. */
async function oneBuildAtATime<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(reportsDir, "src", ".observablehq", "build.lock");
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than ten minutes belongs to a build that died.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) rmSync(lock, { recursive: true, force: true });
      else if (waited > 600_000)
        throw new CcoError(`${lock}: another report build has held it for ten minutes`);
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function runFramework(framework: string, building: string, options: ReportOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [framework, "build"], {
      cwd: reportsDir,
      env: {
        ...process.env,
        CCO_MARTS_DIR: options.martsDir,
        CCO_SITE_DIR: building,
        CCO_REPORT_TITLE: options.title,
        CCO_BUDGETS: JSON.stringify(options.budgets ?? []),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(log)
        : reject(new CcoError(`report build failed (exit ${code}):\n${log.slice(-4000)}`)),
    );
  });
}
