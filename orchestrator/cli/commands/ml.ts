/**
 * `cco ml`: the ML jobs (forecast, anomalies, utilization), each alone or all in order;
 * `cco ml anomalies ack <id>` records a user's word on an anomaly; `cco ml evaluate` scores
 * every job against its targets (exit 1 on a miss).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import type { Command } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { context, print, warehouseFor } from "../context.ts";
import type { JobName } from "../../../ml/jobs.ts";

async function runJobs(cmd: Command, jobs: JobName[]): Promise<void> {
  const { config, progress, json } = await context(cmd);
  const { mlStage } = await import("../../stages.ts");
  const warehouse = await warehouseFor(config);
  const results = await mlStage(warehouse, config, progress, jobs);
  print(json, results, results.map((r) => `${r.job}: ${r.summary}`).join("\n"));
}

export function register(program: Command): void {
  const ml = program
    .command("ml")
    .description("ML jobs: cost forecasts, anomalies with root cause, utilization prediction (all, in order)")
    .action(async (_opts, cmd: Command) => runJobs(cmd, ["forecast", "anomalies", "utilization"]));

  ml.command("forecast")
    .description("daily cost forecasts per scope and currency with prediction intervals, and their backtest")
    .action(async (_opts, cmd: Command) => runJobs(cmd, ["forecast"]));

  const anomalies = ml
    .command("anomalies")
    .description("days whose cost leaves the forecast's interval, merged, with their root cause")
    .action(async (_opts, cmd: Command) => runJobs(cmd, ["anomalies"]));

  anomalies
    .command("ack")
    .description("mark an anomaly acknowledged (or --expected); kept across runs")
    .argument("<anomaly-id>", "the anomaly's id (ml.cost_anomalies)")
    .option("--expected", "a known cause, not a problem")
    .option("--reason <text>", "why")
    .option("--by <user>", "who", os.userInfo().username)
    .action(async (id: string, opts: { expected?: boolean; reason?: string; by: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const warehouse = await warehouseFor(config);
      const { setAnomalyStatus } = await import("../../../ml/anomalies/status.ts");
      const status = opts.expected ? "expected" : "acknowledged";
      if (!(await setAnomalyStatus(warehouse, id, status, opts.reason ?? null, opts.by)))
        throw new UsageError(`${id}: no such anomaly in ml.cost_anomalies (run cco ml anomalies first)`);
      print(json, { anomaly_id: id, status }, `${id}: ${status}`);
    });

  ml.command("utilization")
    .description(
      "next-14-day P95 and peak CPU (and memory) per VM, from a random forest trained across the fleet",
    )
    .action(async (_opts, cmd: Command) => runJobs(cmd, ["utilization"]));

  ml.command("evaluate")
    .description(
      "score every job against its targets (backtest, anomalies, prediction error); exit 1 on a miss",
    )
    .option("--truth <file>", "truth.json of a generated estate (anomaly recall needs it)")
    .option("--job <name>", "one job only: forecast, anomalies or utilization")
    .action(async (opts: { truth?: string; job?: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      let truth: Record<string, unknown> | undefined;
      if (opts.truth) {
        try {
          truth = JSON.parse(readFileSync(opts.truth, "utf8"));
        } catch (error) {
          throw new UsageError(`${opts.truth}: cannot read the truth file: ${(error as Error).message}`);
        }
      }
      const { JOB_ORDER, loadJob } = await import("../../../ml/jobs.ts");
      if (opts.job && !JOB_ORDER.includes(opts.job as JobName))
        throw new UsageError(`--job ${opts.job}: one of ${JOB_ORDER.join(", ")}`);
      const warehouse = await warehouseFor(config);
      const evaluations = [];
      for (const name of opts.job ? [opts.job as JobName] : JOB_ORDER)
        evaluations.push(await (await loadJob(name)).evaluate(warehouse, config, truth));
      const checks = evaluations.flatMap((e) => e.checks);
      const missed = checks.filter((c) => !c.met);
      const summary = `${missed.length ? "FAILED" : "PASSED"}: ${checks.length - missed.length} of ${checks.length} targets met${
        missed.length ? ` (missed: ${missed.map((c) => c.name).join("; ")})` : ""
      }`;
      print(
        json,
        { evaluations, passed: missed.length === 0, summary },
        [
          ...evaluations.flatMap((e) => [
            `== ${e.job}`,
            e.table,
            ...e.checks.map(
              (c) => `${c.met ? "met   " : "MISSED"} ${c.name}: ${c.value ?? "-"} (target ${c.target})`,
            ),
            "",
          ]),
          summary,
        ].join("\n"),
      );
      if (missed.length) process.exitCode = 1;
    });
}
