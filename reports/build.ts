/**
 * Builds the Observable Framework site from the marts' Parquet snapshots,
 * offline: client libraries come from node_modules, nothing from a CDN.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { swapDirectory } from "../core/files.ts";
import { createRequire } from "node:module";
import path from "node:path";
import { CcoError } from "../core/errors.ts";
import { shippedFile } from "../core/paths.ts";

// The site's sources ship in the checkout (not beside compiled code in dist/).
const reportsDir = shippedFile("reports");

export async function buildReport(options: {
  martsDir: string;
  siteDir: string;
  title: string;
}): Promise<string> {
  const require = createRequire(import.meta.url);
  const framework = path.join(
    path.dirname(require.resolve("@observablehq/framework/package.json")),
    "dist/bin/observable.js",
  );
  // Framework refuses to overwrite files in an output folder outside its root, and
  // readers must never see half a site: build beside the target, then swap it in.
  const building = `${options.siteDir}.partial`;
  rmSync(building, { recursive: true, force: true });
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [framework, "build"], {
      cwd: reportsDir,
      env: {
        ...process.env,
        CCO_MARTS_DIR: options.martsDir,
        CCO_SITE_DIR: building,
        CCO_REPORT_TITLE: options.title,
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
  if (/_npm\//.test(output))
    throw new CcoError("report build fetched a library from the npm CDN; the site must build offline");
  swapDirectory(building, options.siteDir);
  return path.join(options.siteDir, "index.html");
}
