/** `cco run`: the whole pipeline, recorded in ops.pipeline_runs. */
import path from "node:path";
import type { Command } from "commander";
import type { ActionsStageResult } from "../../actions-stage.ts";
import { context, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  program
    .command("run")
    .description(
      "Run the whole pipeline: ingest -> models -> ml -> recommend (snapshots, approval table) -> due approved actions -> report",
    )
    .argument("[paths...]", "exports to ingest first")
    .option("--demo", "generate the default estate first and run on it")
    .action(async (paths: string[], opts, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { runPipeline } = await import("../../pipeline.ts");
      const warehouse = await warehouseFor(config);
      const s = await runPipeline(warehouse, config, { demo: Boolean(opts.demo), inputs: paths }, progress);
      const human = [
        "",
        "Spend, last 30 days (amortized):",
        ...s.spend.map((r) => `  ${r.provider.padEnd(8)} ${r.last_30_days.padStart(14)} ${r.currency}`),
        `Recommendations: ${s.recommendations.count}, saving ${s.recommendations.savings.map((x) => `${x.monthly} ${x.currency}`).join(" + ") || "0"} a month`,
        `Warehouse:       ${s.warehouse}  (try: npx cco sql "select * from marts.recommendations")`,
        `Marts (Parquet): ${s.marts}`,
        `Approval table:  ${s.approvalTable}`,
        ...(s.actions ? [actionsLine(s.actions)] : []),
        `Report:          npx cco report serve, then open http://127.0.0.1:8080/ (the site, ${path.dirname(s.site)}, needs a web server: opened from disk it stays blank)`,
      ].join("\n");
      print(json, s, human);
    });
}

function actionsLine(a: ActionsStageResult): string {
  const states = Object.entries(a.states)
    .map(([state, n]) => `${n} ${state.replace("_", " ")}`)
    .join(", ");
  if (a.mode === "dry_run")
    return `Actions:         dry run${states ? `: ${states}` : ": nothing approved and due"} (npx cco actions status)`;
  return (
    `Actions:         ${a.approved ? `${a.approved} approved by the demo approver, executed in the sandbox cloud: ` : ""}${states || "none"}` +
    (a.rolledBack.length
      ? `\n                 rolled back after verification: ${a.rolledBack.join(", ")} (npx cco actions status)`
      : "")
  );
}
