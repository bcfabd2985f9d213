/**
 * `cco`: the command line of the Cloud Cost Optimizer. Exit codes: 0 success;
 * 1 the work failed (bad input data, a failed check); 2 usage or config error,
 * or a command whose stage is not built yet; 70 an internal error (a bug).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { exportApprovalTable } from "../actions/approvals/export.ts";
import { type Config, loadConfig, modelVars } from "../core/config.ts";
import { WAREHOUSE_CRITERIA } from "../core/focus/criteria.ts";
import { buildProject, compileProject, selectModels } from "../core/dbt/runner.ts";
import { writeDataDictionary } from "../core/dbt/docs.ts";
import { loadProject } from "../core/dbt/project.ts";
import { CcoError, NotBuiltError, UsageError } from "../core/errors.ts";
import { checkConformance, loadModel } from "../core/focus/conformance.ts";
import { createProgress, type Progress } from "../core/log.ts";
import { exportMarts } from "../core/warehouse/snapshots.ts";
import { closeWarehouse, openWarehouse, Warehouse } from "../core/warehouse/warehouse.ts";
import { FORMATS, REMOTE_SOURCES, resolveTargets } from "../ingest/providers.ts";
import { ingestPaths } from "../ingest/load.ts";
import { ensureRawViews, landedRelation } from "../ingest/raw-views.ts";
import { recommend } from "../ml/recommend.ts";
import { buildReport } from "../reports/build.ts";
import { generateEstate } from "./estate-generator/generate.ts";
import { toAlignedTable, toCsv, toJsonRows } from "./format-table.ts";
import { PROJECT_ROOT, runPipeline } from "./pipeline.ts";

interface GlobalOptions {
  config?: string;
  warehouse?: string;
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
}

const SELECT_HELP = "dbt selection: model, +model, model+, tag:x, path:dir (several allowed)";

function context(cmd: Command): { config: Config; progress: Progress; json: boolean } {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const config = loadConfig({ configFile: opts.config, warehouse: opts.warehouse, dataDir: opts.dataDir });
  return {
    config,
    progress: createProgress({ quiet: Boolean(opts.json || opts.quiet) }),
    json: Boolean(opts.json),
  };
}

function print(json: boolean, data: unknown, human: string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human}\n`);
}

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a non-negative integer, got "${value}"`);
  return n;
}

export function buildCli(): Command {
  const program = new Command("cco")
    .description(
      "Cloud Cost Optimizer: every provider's bill in one FOCUS warehouse, recommendations, safe actions.",
    )
    .option("--config <file>", "config file (default: ./cco.config.yaml if present; env CCO_CONFIG)")
    .option(
      "--warehouse <file>",
      "DuckDB warehouse file (env CCO_WAREHOUSE; default <data-dir>/warehouse.duckdb)",
    )
    .option("--data-dir <dir>", "data directory (env CCO_DATA_DIR; default ./data)")
    .option("--json", "machine-readable output on stdout; no progress")
    .option("-q, --quiet", "no progress output")
    .showHelpAfterError()
    .exitOverride();

  program
    .command("generate")
    .description(
      "Write a deterministic multi-cloud estate in the providers' real export formats, with truth.json",
    )
    .option("--seed <n>", "random seed (same seed, same bytes)", int)
    .option("--resources <n>", "number of resources", int)
    .option("--days <n>", "days of history", int)
    .option("--end-date <YYYY-MM-DD>", "last day of data")
    .option("--out <dir>", "output folder (default <data-dir>/estate)")
    .action(async (opts, cmd: Command) => {
      const { config, progress, json } = context(cmd);
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

  program
    .command("ingest")
    .description("Load billing exports and metrics files into the warehouse (raw) and the lake")
    .argument("<sources...>", "files, folders (walked; every recognised file loaded) or remote URIs (below)")
    .addOption(
      new Option("--format <id>", "skip detection and read every file as this format").choices(
        FORMATS.map((f) => f.id),
      ),
    )
    .option("--continue-on-error", "load the good files and report the bad ones (exit 1 if any failed)")
    .option(
      "--since <YYYY-MM>",
      "for API sources (bigquery://, cloudwatch://, costexplorer://): the first month to fetch",
    )
    .addHelpText(
      "after",
      `\nFormats (detected from the columns):\n${FORMATS.map((f) => `  ${f.id.padEnd(20)} ${f.description}`).join("\n")}\n` +
        `\nRemote sources (copied to <data-dir>/cache first; unchanged objects are not downloaded again):\n${REMOTE_SOURCES.map((r) => `  ${r.forms.join("\n  ")}\n      ${r.description}`).join("\n")}\n\n` +
        "Each file is read once and lands in one transaction, reconciled per currency to the cent; a file already\n" +
        "loaded is skipped; a restated billing period (same account and month, new bytes) replaces the old one;\n" +
        "CUR manifests decide which assembly of a month is current. See ops.loads and ops.load_parts.",
    )
    .action(async (sources: string[], opts, cmd: Command) => {
      const { config, progress, json } = context(cmd);
      const warehouse = await openWarehouse(config);
      const paths = await resolveTargets(sources, {
        cacheDir: config.paths.cache,
        config,
        progress,
        since: opts.since,
        warehouse,
      });
      const results = await ingestPaths(
        warehouse,
        paths,
        { lakeDir: config.paths.lake, format: opts.format, continueOnError: opts.continueOnError },
        progress,
      );
      const failed = results.filter((r) => r.status === "failed");
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
      if (failed.length) process.exitCode = 1;
    });

  const models = program
    .command("models")
    .description("Run the dbt project (models/) on the warehouse with our runner");
  for (const [name, description, runModels, runTests] of [
    ["build", "build models and run their tests, in dependency order", true, true],
    ["run", "build models only", true, false],
    ["test", "run the schema tests only", false, true],
  ] as const) {
    models
      .command(name)
      .description(description)
      .option("-s, --select <selector...>", SELECT_HELP)
      .option("--full-refresh", "rebuild incremental models from scratch")
      .action(async (opts, cmd: Command) => {
        const { config, progress, json } = context(cmd);
        const warehouse = await openWarehouse(config);
        await ensureRawViews(warehouse);
        const { results, failed } = await buildProject(
          warehouse,
          PROJECT_ROOT,
          {
            select: (opts.select ?? []).join(" "),
            runModels,
            runTests,
            fullRefresh: opts.fullRefresh,
            vars: modelVars(config),
            externalRoot: config.paths.marts,
          },
          progress,
        );
        if (runModels) await exportMarts(warehouse, config.paths.marts);
        print(
          json,
          results,
          results
            .map((r) => `${r.status.padEnd(8)} ${r.unique_id}${r.message ? `  ${r.message}` : ""}`)
            .join("\n"),
        );
        if (failed) process.exitCode = 1;
      });
  }
  models
    .command("compile")
    .description("render every model's SQL (printed, and in target/manifest.json after a build)")
    .option("-s, --select <selector...>", SELECT_HELP)
    .action((opts, cmd: Command) => {
      const { config, json } = context(cmd);
      const project = loadProject(PROJECT_ROOT);
      Object.assign(project.vars, modelVars(config));
      const compiled = compileProject(project);
      const selected = selectModels(compiled, (opts.select ?? []).join(" "));
      const chosen = [...compiled.values()].filter((m) => selected.has(m.node.name));
      print(
        json,
        chosen.map((m) => ({ model: m.node.name, relation: m.relation, sql: m.sql })),
        chosen.map((m) => `-- ${m.relation}\n${m.sql}\n`).join("\n"),
      );
    });
  models
    .command("docs")
    .description("write the data dictionary (markdown) from the schema YAML")
    .option("--out <file>", "output file (default: target/data-dictionary.md in the project)")
    .action((opts, cmd: Command) => {
      const { json } = context(cmd);
      const out = opts.out ? path.resolve(opts.out) : path.join(PROJECT_ROOT, "target", "data-dictionary.md");
      const file = writeDataDictionary(loadProject(PROJECT_ROOT), out);
      print(json, { file }, `Data dictionary written to ${file}`);
    });
  models
    .command("focus-check")
    .description("check a FOCUS dataset against the official FOCUS 1.2 rules model (621 rules)")
    .option("--relation <name>", "table or view to check", "marts.focus_costs")
    .option(
      "--file <path>",
      "check a FOCUS export file instead (CSV or Parquet), loaded into a scratch database",
    )
    .addOption(
      new Option("--focus-version <v>", "FOCUS version of the data")
        .choices(["1.0", "1.1", "1.2"])
        .default("1.2"),
    )
    .option(
      "--criteria <list>",
      `applicability criteria the data's provider meets, comma-separated (${Object.keys(loadModel().ApplicabilityCriteria).length} exist); default: the warehouse's own for a relation, none for --file`,
    )
    .option("--all", "list every rule, not only the failing ones")
    .addHelpText(
      "after",
      "\nExit codes: 0 when every applicable MUST / MUST NOT rule passes, 1 when one fails.",
    )
    .action(async (opts, cmd: Command) => {
      const { config, json } = context(cmd);
      const criteria = String(opts.criteria ?? (opts.file ? "" : WAREHOUSE_CRITERIA.join(",")))
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean);
      let warehouse: Warehouse;
      let relation = String(opts.relation);
      // A file is loaded into a scratch database and lake, removed after the check.
      const scratch = opts.file ? mkdtempSync(path.join(os.tmpdir(), "cco-focus-check-")) : undefined;
      if (opts.file) {
        warehouse = await Warehouse.open({ path: ":memory:" });
        await ingestPaths(
          warehouse,
          [opts.file],
          { lakeDir: scratch!, format: "focus" },
          createProgress({ quiet: true }),
        );
        // The file as it is: the raw view would add the columns the models declare as nulls.
        relation = await landedRelation(warehouse, "raw.focus_cost_lines");
      } else {
        warehouse = await openWarehouse(config);
        const [schema, table] = relation.includes(".") ? relation.split(".") : ["main", relation];
        if (!(await warehouse.tableExists(schema!, table!))) {
          throw new UsageError(
            `${relation} does not exist${relation === "marts.focus_costs" ? " (the focus_costs mart is not built yet; pass --relation, e.g. raw.focus_cost_lines, or --file)" : ""}`,
          );
        }
      }
      const checked = await checkConformance(warehouse, relation, { version: opts.focusVersion, criteria });
      const report = opts.file ? { ...checked, relation: String(opts.file) } : checked;
      const shown = opts.all ? report.rules : report.rules.filter((r) => r.status === "fail");
      print(
        json,
        { ...report, rules: shown },
        [
          ...shown.map(
            (r) =>
              `${r.status.padEnd(7)} ${r.id.padEnd(36)} ${r.keyword.padEnd(11)} ${r.failing ? `${r.failing} rows  ` : ""}${r.reason ?? r.requirement}`,
          ),
          `${report.relation}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped; score ${report.score}% of applicable rules; ${report.mustFailures} MUST rules failing`,
        ].join("\n"),
      );
      if (scratch) {
        await warehouse.close();
        rmSync(scratch, { recursive: true, force: true });
      }
      if (report.mustFailures) process.exitCode = 1;
    });

  program
    .command("recommend")
    .description("Run the detectors over the marts into marts.recommendations and write the approval table")
    .action(async (_opts, cmd: Command) => {
      const { config, progress, json } = context(cmd);
      const warehouse = await openWarehouse(config);
      const count = await recommend(warehouse, config, progress);
      await exportMarts(warehouse, config.paths.marts);
      const table = path.join(config.paths.exports, "approvals.csv");
      await exportApprovalTable(warehouse, table);
      print(
        json,
        { recommendations: count, approval_table: table },
        `${count} recommendations; approval table: ${table}`,
      );
    });

  const approvals = program
    .command("approvals")
    .description("The approval table platform engineers decide in");
  approvals
    .command("export")
    .description("write open recommendations as an approval table (CSV)")
    .option("--out <file>", "output file (default <data-dir>/exports/approvals.csv)")
    .action(async (opts, cmd: Command) => {
      const { config, json } = context(cmd);
      const warehouse = await openWarehouse(config);
      const out = path.resolve(opts.out ?? path.join(config.paths.exports, "approvals.csv"));
      const rows = await exportApprovalTable(warehouse, out);
      print(json, { rows, file: out }, `${rows} open recommendations written to ${out}`);
    });
  approvals
    .command("import")
    .description("read decisions back from the approval table")
    .action(() => {
      throw new NotBuiltError("approvals import", "the actions issue");
    });

  program
    .command("report")
    .description(
      "Build the static report site (Observable Framework, offline) from the marts' Parquet snapshots",
    )
    .option("--out <dir>", "site folder (default <data-dir>/site)")
    .action(async (opts, cmd: Command) => {
      const { config, progress, json } = context(cmd);
      const siteDir = path.resolve(opts.out ?? config.paths.site);
      const index = await progress.step("Building the report site", () =>
        buildReport({ martsDir: config.paths.marts, siteDir, title: config.reports.title }),
      );
      print(
        json,
        { site: siteDir, index },
        `Site built: ${index}\nServe it with any static file server, e.g. python3 -m http.server -d ${siteDir}`,
      );
    });

  program
    .command("run")
    .description(
      "Run the whole pipeline: ingest -> models -> recommend -> snapshots -> report -> approval table",
    )
    .argument("[paths...]", "exports to ingest first")
    .option("--demo", "generate the default estate first and run on it")
    .action(async (paths: string[], opts, cmd: Command) => {
      const { config, progress, json } = context(cmd);
      const warehouse = await openWarehouse(config);
      const s = await runPipeline(warehouse, config, { demo: Boolean(opts.demo), inputs: paths }, progress);
      const human = [
        "",
        "Spend, last 30 days (amortized):",
        ...s.spend.map((r) => `  ${r.provider.padEnd(8)} ${r.last_30_days.padStart(14)} ${r.currency}`),
        `Recommendations: ${s.recommendations.count}, saving ${s.recommendations.savings.map((x) => `${x.monthly} ${x.currency}`).join(" + ") || "0"} a month`,
        `Warehouse:       ${s.warehouse}  (try: npx cco sql "select * from marts.recommendations")`,
        `Marts (Parquet): ${s.marts}`,
        `Approval table:  ${s.approvalTable}`,
        `Report site:     ${s.site}`,
        `Serve the site:  python3 -m http.server -d ${path.dirname(s.site)} 8080  (any static server works)`,
      ].join("\n");
      print(json, s, human);
    });

  program
    .command("sql")
    .description("Run SQL on the warehouse: aligned table, or --json rows / --csv")
    .argument("<query>", 'a DuckDB SQL statement, e.g. "select * from marts.cost_daily limit 5"')
    .option("--csv", "CSV output")
    .action(async (query: string, opts, cmd: Command) => {
      const { config, json } = context(cmd);
      const warehouse = await openWarehouse(config);
      let result: Awaited<ReturnType<typeof warehouse.query>>;
      try {
        result = await warehouse.query(query);
      } catch (error) {
        throw new UsageError(`sql: ${(error as Error).message.split("\n")[0]}`);
      }
      process.stdout.write(
        `${json ? toJsonRows(result) : opts.csv ? toCsv(result) : toAlignedTable(result)}\n`,
      );
    });

  program
    .command("config")
    .description("Print the effective configuration (defaults, file, environment and flags applied)")
    .action((_opts, cmd: Command) => {
      const { config } = context(cmd);
      process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    });

  for (const [name, description, issue] of [
    ["ml", "Forecasts, anomalies, utilization prediction and risk (ML jobs)", "a later issue"],
    ["actions", "Execute approved changes, verify, roll back, audit", "a later issue"],
    ["serve", "The approval and actions service (express) with its scheduler", "a later issue"],
  ] as const) {
    program
      .command(name)
      .description(`${description} — not built yet`)
      .allowUnknownOption()
      .action(() => {
        throw new NotBuiltError(name, issue);
      });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse problem is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CcoError) {
      process.stderr.write(`cco: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`cco: internal error: ${(error as Error).stack ?? error}\n`);
    return 70;
  } finally {
    await closeWarehouse();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("orchestrator/cli.ts")) {
  process.exitCode = await main(process.argv.slice(2));
}
