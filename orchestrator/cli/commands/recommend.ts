/** `cco recommend`: detectors → marts.recommendations → marts' snapshots → approval table. */
import type { Command } from "commander";
import { context, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  program
    .command("recommend")
    .description("Run the detectors over the marts into marts.recommendations and write the approval table")
    .action(async (_opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { recommendStage } = await import("../../stages.ts");
      const warehouse = await warehouseFor(config);
      const { recommendations, approvalTable } = await recommendStage(warehouse, config, progress);
      print(
        json,
        { recommendations, approval_table: approvalTable },
        `${recommendations} recommendations; approval table: ${approvalTable}`,
      );
    });
}
