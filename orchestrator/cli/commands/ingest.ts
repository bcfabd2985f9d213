/**
 * `cco ingest`: billing exports and metrics into raw and the lake. The formats and remote
 * sources it lists in its help come from ingest/providers.ts, loaded only when `ingest` is
 * the command being run (or helped), not to build the program.
 */
import { type Command, Option } from "commander";
import { beforeInvoked, context, month, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  const formatOption = new Option("--format <id>", "skip detection and read every file as this format");
  const ingest = program
    .command("ingest")
    .description("Load billing exports and metrics files into the warehouse (raw) and the lake")
    .argument("<sources...>", "files, folders (walked; every recognised file loaded) or remote URIs (below)")
    .addOption(formatOption)
    .option("--continue-on-error", "load the good files and report the bad ones (exit 1 if any failed)")
    .option(
      "--since <YYYY-MM>",
      "for API sources (bigquery://, cloudwatch://, costexplorer://, …): the first month to fetch",
      month,
    )
    .action(async (sources: string[], opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { ingestStage } = await import("../../stages.ts");
      const warehouse = await warehouseFor(config);
      const results = await ingestStage(
        warehouse,
        config,
        sources,
        { format: opts.format, continueOnError: opts.continueOnError, since: opts.since },
        progress,
      );
      print(
        json,
        results,
        results
          .map(
            (r) =>
              `${r.status.padEnd(8)} ${String(r.format ?? "-").padEnd(20)} ${String(r.rows).padStart(8)} rows  ${r.error ?? r.file}`,
          )
          .join("\n"),
      );
      if (results.some((r) => r.status === "failed")) process.exitCode = 1;
    });
  beforeInvoked(ingest, async () => {
    const { FORMATS, REMOTE_SOURCES } = await import("../../../ingest/providers.ts");
    formatOption.choices(FORMATS.map((f) => f.id));
    ingest.addHelpText(
      "after",
      `\nFormats (detected from the columns):\n${FORMATS.map((f) => `  ${f.id.padEnd(20)} ${f.description}`).join("\n")}\n` +
        `\nRemote sources (copied to <data-dir>/cache first; unchanged objects are not downloaded again):\n${REMOTE_SOURCES.map((r) => `  ${r.forms.join("\n  ")}\n      ${r.description}`).join("\n")}\n\n` +
        "Each file is read once and lands in one transaction, reconciled per currency to the cent; a file already\n" +
        "loaded is skipped; a restated billing period (same account and month, new bytes) replaces the old one;\n" +
        "CUR manifests decide which assembly of a month is current. See ops.loads and ops.load_parts.",
    );
  });
}
