/** `cco report`: the static report site from the marts' Parquet snapshots. */
import path from "node:path";
import type { Command } from "commander";
import { context, print } from "../context.ts";

export function register(program: Command): void {
  program
    .command("report")
    .description(
      "Build the static report site (Observable Framework, offline) from the marts' Parquet snapshots",
    )
    .option("--out <dir>", "site folder (default <data-dir>/site)")
    .action(async (opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { reportStage } = await import("../../stages.ts");
      const siteDir = path.resolve(opts.out ?? config.paths.site);
      const index = await reportStage(config, siteDir, progress);
      print(
        json,
        { site: siteDir, index },
        `Site built: ${index}\nServe it with any static file server, e.g. python3 -m http.server -d ${siteDir}`,
      );
    });
}
