/** `cco generate`: a deterministic estate in the providers' real export formats. */
import path from "node:path";
import type { Command } from "commander";
import { context, date, nonNegativeInt, positiveInt, print } from "../context.ts";

export function register(program: Command): void {
  program
    .command("generate")
    .description(
      "Write a deterministic multi-cloud estate in the providers' real export formats, with truth.json",
    )
    .option("--seed <n>", "random seed (same seed, same bytes)", nonNegativeInt)
    .option("--resources <n>", "number of resources", positiveInt)
    .option("--days <n>", "days of history", positiveInt)
    .option("--end-date <YYYY-MM-DD>", "last day of data", date)
    .option("--out <dir>", "output folder (default <data-dir>/estate)")
    .action(async (opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { generateEstate } = await import("../../estate-generator/generate.ts");
      const g = config.generate;
      const out = path.resolve(opts.out ?? config.paths.estate);
      const result = await generateEstate(
        {
          seed: opts.seed ?? g.seed,
          resources: opts.resources ?? g.resources,
          days: opts.days ?? g.days,
          endDate: opts.endDate ?? g.endDate,
        },
        out,
        progress,
      );
      print(
        json,
        {
          out,
          files: result.files.length,
          line_items: result.lineItems,
          metric_rows: result.metricRows,
          planted_cases: result.truth.cases.length,
        },
        `Wrote ${result.files.length} files to ${out}: ${result.lineItems} daily line items, ${result.metricRows} hourly metric rows, ${result.truth.cases.length} planted cases (truth.json).`,
      );
    });
}
