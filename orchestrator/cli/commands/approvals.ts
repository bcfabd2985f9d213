/** `cco approvals …`: the approval table platform engineers decide in. */
import path from "node:path";
import type { Command } from "commander";
import { NotBuiltError, UsageError } from "../../../core/errors.ts";
import { context, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  const approvals = program
    .command("approvals")
    .description("The approval table platform engineers decide in");
  approvals
    .command("export")
    .description("write open recommendations as an approval table (CSV)")
    .option("--out <file>", "output file (default <data-dir>/exports/approvals.csv)")
    .action(async (opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { exportApprovalTable } = await import("../../../actions/approvals/export.ts");
      const warehouse = await warehouseFor(config);
      if (!(await warehouse.tableExists("marts", "recommendations"))) {
        throw new UsageError("marts.recommendations does not exist: run cco recommend (or cco run) first");
      }
      const out = path.resolve(opts.out ?? path.join(config.paths.exports, "approvals.csv"));
      const rows = await exportApprovalTable(warehouse, out);
      print(json, { rows, file: out }, `${rows} open recommendations written to ${out}`);
    });
  approvals
    .command("import")
    .description("read decisions back from the approval table — not built yet")
    .action(() => {
      throw new NotBuiltError("approvals import", "the actions issue");
    });
}
