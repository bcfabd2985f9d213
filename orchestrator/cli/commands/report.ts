/**
 * `cco report`: the static report site from the marts' Parquet snapshots: `build` (also what
 * `cco report` alone does), `serve` to preview it, `publish` to a bucket any static host serves.
 */
import path from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { context, positiveInt, print } from "../context.ts";

async function build(opts: { out?: string }, cmd: Command): Promise<void> {
  const { config, progress, json } = await context(cmd);
  const { reportStage } = await import("../../stages.ts");
  const siteDir = path.resolve(opts.out ?? config.paths.site);
  const index = await reportStage(config, siteDir, progress);
  print(json, { site: siteDir, index }, `Site built: ${siteDir}\nPreview it: npx cco report serve`);
}

export function register(program: Command): void {
  const report = program
    .command("report")
    .description(
      "The leadership report: a static site built offline from the marts' Parquet snapshots (build, serve, publish)",
    )
    .option("--out <dir>", "site folder (default <data-dir>/site)")
    .action(build);
  report
    .command("build")
    .description("build the site (Observable Framework, offline) from the marts' snapshots")
    .option("--out <dir>", "site folder (default <data-dir>/site)")
    .action(build);
  report
    .command("serve")
    .description("serve the built site on this machine (a site opened from disk stays blank)")
    .option("--port <n>", "port", positiveInt, 8080)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--dir <dir>", "site folder (default <data-dir>/site)")
    .action(async (opts: { port: number; host: string; dir?: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { existsSync } = await import("node:fs");
      const siteDir = path.resolve(opts.dir ?? config.paths.site);
      if (!existsSync(path.join(siteDir, "index.html")))
        throw new UsageError(`${siteDir}: no built site here (run cco report build, or cco run, first)`);
      const { serveSite } = await import("../../../reports/serve.ts");
      let server: Awaited<ReturnType<typeof serveSite>>;
      try {
        server = await serveSite(siteDir, { port: opts.port, host: opts.host });
      } catch (error) {
        throw new UsageError(
          `cannot listen on ${opts.host}:${opts.port}: ${(error as Error).message} (choose another --port)`,
        );
      }
      print(
        json,
        { url: server.url, site: siteDir },
        `Serving ${siteDir} at ${server.url}/ (Ctrl-C to stop)`,
      );
      // Runs until interrupted; closing lets the process exit 0.
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      await server.close();
    });
  report
    .command("publish")
    .description(
      "upload the built site to S3 or Azure Blob storage (new files first, then the old ones removed)",
    )
    .argument(
      "<target>",
      "s3://bucket/prefix, azure://container/prefix or https://<account>.blob.core.windows.net/container/prefix",
    )
    .option("--dir <dir>", "site folder (default <data-dir>/site)")
    .action(async (target: string, opts: { dir?: string }, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { publishSite } = await import("../../../reports/publish.ts");
      const siteDir = path.resolve(opts.dir ?? config.paths.site);
      const result = await publishSite(siteDir, target, config, progress);
      print(
        json,
        result,
        `Published ${result.uploaded} files (${(result.bytes / 1048576).toFixed(1)} MiB) to ${target}; removed ${result.removed} left from the previous build`,
      );
    });
}
