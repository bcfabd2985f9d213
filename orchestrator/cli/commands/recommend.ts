/**
 * `cco recommend`: detectors → risk → marts.recommendations → history, snapshots, approval table;
 * then the top of the list and the savings per currency. `evaluate` scores the table against a
 * planted truth; `dismiss` records a user's decision to leave one alone.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { Command } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { context, positiveInt, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  const recommend = program
    .command("recommend")
    .description(
      "Run the detectors and the risk job into marts.recommendations, record what changed, write the approval table",
    )
    .option("--top <n>", "recommendations to list", positiveInt, 10)
    .action(async (opts: { top: number }, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { recommendStage } = await import("../../stages.ts");
      const { topRecommendations, totalsByCurrency } = await import("../../../ml/recommend/report.ts");
      const warehouse = await warehouseFor(config);
      const result = await recommendStage(warehouse, config, progress);
      const top = await topRecommendations(warehouse, opts.top);
      const totals = await totalsByCurrency(warehouse);
      const { toAlignedTable } = await import("../../format-table.ts");
      const h = result.history;
      print(
        json,
        {
          recommendations: result.recommendations,
          history: result.history,
          approval_table: result.approvalTable,
          top,
          totals,
        },
        [
          toAlignedTable({
            columns: ["priority", "savings/mo", "cur", "risk", "effort", "detector", "resource", "target"],
            rows: top.map((r) => [
              r.priority,
              r.estimated_monthly_savings,
              r.currency,
              r.risk_level ? `${r.risk_level} ${r.risk_score}` : "",
              r.effort,
              r.detector,
              r.resource_id.length > 48 ? `…${r.resource_id.slice(-47)}` : r.resource_id,
              r.target_configuration ?? "",
            ]),
          }).replace(/\n\(\d+ rows?\)$/, ""),
          "",
          ...totals.map(
            (t) =>
              `${t.currency}: ${t.recommendations} open, saving ${t.estimated_monthly_savings} a month (${t.estimated_monthly_savings_at_list} at list)`,
          ),
          `Changes: ${h.new} new, ${h.open} moved, ${h.resolved} resolved, ${h.superseded} superseded (ops.recommendation_history)`,
          `Approval table: ${result.approvalTable}`,
        ].join("\n"),
      );
    });

  recommend
    .command("evaluate")
    .description(
      "score marts.recommendations against a planted truth: precision, recall, savings error per detector (exit 1 on a missed target)",
    )
    .requiredOption("--truth <file>", "truth.json (cco generate writes one beside the estate)")
    .option("--min-precision <share>", "precision every detector must reach", Number, 0.95)
    .option("--min-recall <share>", "recall every detector must reach", Number, 0.9)
    .option("--savings-tolerance <share>", "largest savings error of a true positive", Number, 0.05)
    .action(
      async (
        opts: { truth: string; minPrecision: number; minRecall: number; savingsTolerance: number },
        cmd: Command,
      ) => {
        const { config, json } = await context(cmd);
        let truth: unknown;
        try {
          truth = JSON.parse(readFileSync(opts.truth, "utf8"));
        } catch (error) {
          throw new UsageError(`${opts.truth}: cannot read the truth file: ${(error as Error).message}`);
        }
        if (!truth || typeof truth !== "object" || !Array.isArray((truth as { cases?: unknown }).cases))
          throw new UsageError(`${opts.truth}: not a truth file (no "cases" list)`);
        const { evaluateRecommendations } = await import("../../../ml/recommend/evaluate.ts");
        const { recommendationsForEvaluation } = await import("../../../ml/recommend/report.ts");
        const warehouse = await warehouseFor(config);
        if (!(await warehouse.tableExists("marts", "recommendations")))
          throw new UsageError("marts.recommendations does not exist: run cco recommend (or cco run) first");
        const evaluation = evaluateRecommendations(
          await recommendationsForEvaluation(warehouse),
          truth as Parameters<typeof evaluateRecommendations>[1],
          {
            precision: opts.minPrecision,
            recall: opts.minRecall,
            savings_tolerance: opts.savingsTolerance,
            review_utilization: config.recommend.commitments.min_utilization_pct / 100,
          },
        );
        const { formatEvaluation } = await import("../../../ml/recommend/evaluation-table.ts");
        print(json, evaluation, formatEvaluation(evaluation));
        // The table says what was missed; the exit code says that something was.
        if (!evaluation.passed) process.exitCode = 1;
      },
    );

  recommend
    .command("dismiss")
    .description("record that a recommendation will not be acted on (it stays in the table, dismissed)")
    .argument("<recommendation-id>", "the recommendation's id (marts.recommendations)")
    .requiredOption("--reason <text>", "why: kept in ops.recommendation_history")
    .option("--by <user>", "who decided", os.userInfo().username)
    .action(async (id: string, opts: { reason: string; by: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { dismiss } = await import("../../../ml/recommend/history.ts");
      const warehouse = await warehouseFor(config);
      if (!(await warehouse.tableExists("marts", "recommendations")))
        throw new UsageError("marts.recommendations does not exist: run cco recommend (or cco run) first");
      if (!(await dismiss(warehouse, id, opts.reason, opts.by)))
        throw new UsageError(`${id}: no such recommendation in marts.recommendations`);
      print(
        json,
        { recommendation_id: id, status: "dismissed", reason: opts.reason },
        `${id} dismissed: ${opts.reason}`,
      );
    });
}
