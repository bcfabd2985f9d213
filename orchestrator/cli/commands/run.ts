/**
 * `cco run`: the pipeline (generate with --demo, ingest, models, ml, recommend, actions, snapshot,
 * report), each stage skipped when its inputs did not change, recorded in ops.pipeline_runs and
 * ops.pipeline_steps. It holds the warehouse's lock while it runs; SIGINT / SIGTERM stop it after
 * the current stage (exit 130 / 143), and `--resume` continues a failed or interrupted run.
 */
import path from "node:path";
import type { Command } from "commander";
import { PIPELINE_STAGES } from "../../../core/pipeline-settings.ts";
import type { ActionsStageResult } from "../../actions-stage.ts";
import type { RunSummary } from "../../pipeline.ts";
import { afterClose, context, print, warehouseFor } from "../context.ts";

interface RunOptions {
  demo?: boolean;
  from?: string;
  to?: string;
  only?: string[];
  force?: boolean;
  resume?: boolean;
}

const stageList = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

export function register(program: Command): void {
  program
    .command("run")
    .description(
      "Run the pipeline: ingest -> models -> ml -> recommend -> due approved actions -> snapshot -> report; stages whose inputs did not change are skipped",
    )
    .argument("[paths...]", "exports to ingest (default: pipeline.sources of the config)")
    .option("--demo", "generate the demo estate first and run on it (approving and executing in the sandbox)")
    .option("--from <stage>", `first stage to run (${PIPELINE_STAGES.join(", ")})`)
    .option("--to <stage>", "last stage to run")
    .option("--only <stages>", "only these stages (comma-separated, or the option repeated)", stageList)
    .option("--force", "run every selected stage, even when its inputs did not change")
    .option(
      "--resume",
      "continue the last run, which failed, from its failed stage with its selection and inputs",
    )
    .action(async (paths: string[], opts: RunOptions, cmd: Command) => {
      const { config, progress, json } = await context(cmd);
      const { runPipeline, selectStages } = await import("../../pipeline.ts");
      // A bad selection is a usage error before anything is locked or opened.
      if (!opts.resume) selectStages({ demo: opts.demo, from: opts.from, to: opts.to, only: opts.only });
      const { acquireWarehouseLock } = await import("../../lock.ts");
      const lock = acquireWarehouseLock(config.warehouse.path, `cco run${opts.demo ? " --demo" : ""}`, {
        staleMinutes: config.pipeline.lock_stale_minutes,
        warn: (m) => progress.warn(m),
      });
      // The first signal lets the current stage finish; a second one stops at once (the default).
      const interrupt = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        progress.warn(`${signal}: stopping after the current stage (again to stop at once)`);
        interrupt.abort(signal);
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const warehouse = await warehouseFor(config);
        const s = await runPipeline(
          warehouse,
          config,
          {
            demo: Boolean(opts.demo),
            inputs: paths,
            from: opts.from,
            to: opts.to,
            only: opts.only,
            force: opts.force,
            resume: opts.resume,
            trigger: "cli",
            signal: interrupt.signal,
          },
          progress,
        );
        print(json, s, human(s));
      } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
        // After DuckDB has let go of the file: a second writer then meets the lock's message, not DuckDB's.
        afterClose(() => lock.release());
      }
    });
}

function human(s: RunSummary): string {
  const ran = new Set(s.steps.filter((x) => x.status === "succeeded").map((x) => x.name));
  return [
    "",
    `Run ${s.runId}${s.resumedFrom ? ` (resumes run ${s.resumedFrom})` : ""}:`,
    ...s.steps.map(
      (x) =>
        `  ${x.name.padEnd(10)} ${(x.status === "succeeded" ? "ran" : "skipped").padEnd(8)} ${x.seconds.toFixed(1).padStart(6)} s` +
        (x.reason ? `  ${x.reason}` : x.attempts > 1 ? `  after ${x.attempts} attempts` : ""),
    ),
    "",
    "Spend, last 30 days (amortized):",
    ...s.spend.map((r) => `  ${r.provider.padEnd(8)} ${r.last_30_days.padStart(14)} ${r.currency}`),
    `Recommendations: ${s.recommendations.count}, saving ${s.recommendations.savings.map((x) => `${x.monthly} ${x.currency}`).join(" + ") || "0"} a month`,
    `Warehouse:       ${s.warehouse}  (try: npx cco sql "select * from marts.recommendations")`,
    `Marts (Parquet): ${s.marts}`,
    `Approval table:  ${s.approvalTable}`,
    ...(s.actions && ran.has("actions") ? [actionsLine(s.actions)] : []),
    `Report:          npx cco report serve, then open http://127.0.0.1:8080/ (the site, ${path.dirname(s.site)}, needs a web server: opened from disk it stays blank)`,
  ].join("\n");
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
