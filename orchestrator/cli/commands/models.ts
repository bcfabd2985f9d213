/** `cco models …`: the dbt project (models/) on the warehouse, with our runner. */
import path from "node:path";
import type { Command } from "commander";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { context, print, SELECT_HELP, warehouseFor } from "../context.ts";
import { register as registerFocusCheck } from "./focus-check.ts";

const TARGET_HELP = "profiles.yml output to use: dev (DuckDB, the default) or bigquery (docs/bigquery.md)";

export function register(program: Command): void {
  const models = program
    .command("models")
    .description("Run the dbt project (models/) on the warehouse with our runner");
  for (const [name, description, runModels, runTests, runSeeds] of [
    ["build", "load seeds, build models and run their tests, in dependency order", true, true, true],
    ["run", "build models only", true, false, false],
    ["test", "run the schema tests only", false, true, false],
    ["seed", "load the seeds (seeds/*.csv) as tables; unchanged ones are kept", false, false, true],
  ] as const) {
    models
      .command(name)
      .description(description)
      .option("-s, --select <selector...>", SELECT_HELP)
      .option("--full-refresh", "rebuild incremental models and reload seeds from scratch")
      .option("-t, --target <name>", TARGET_HELP)
      .action(async (opts, cmd: Command) => {
        const { config, progress, json } = await context(cmd);
        const stage = { select: opts.select, runModels, runTests, runSeeds, fullRefresh: opts.fullRefresh };
        let outcome: {
          results: { status: string; unique_id: string; message: string | null }[];
          failed: number;
        };
        if (await isBigQuery(opts.target)) {
          const { modelVars } = await import("../../../core/config.ts");
          const { buildOnBigQuery } = await import("../../../core/dbt/bigquery/build.ts");
          outcome = await buildOnBigQuery(
            PROJECT_ROOT,
            { ...stage, select: (opts.select ?? []).join(" "), vars: modelVars(config), target: opts.target },
            progress,
          );
        } else {
          const { modelsStage, snapshotStage } = await import("../../stages.ts");
          const warehouse = await warehouseFor(config);
          outcome = await modelsStage(warehouse, config, stage, progress);
          if (runModels) await snapshotStage(warehouse, config, progress);
        }
        const { results, failed } = outcome;
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
    .description(
      "render every model's SQL for the target (printed, and written under target/compiled; " +
        "BigQuery: the build's statements under target/run)",
    )
    .option("-s, --select <selector...>", SELECT_HELP)
    .option("-t, --target <name>", TARGET_HELP)
    .option(
      "--dry-run",
      "BigQuery: dry-run each model's, seed's and test's query and print the bytes it would process (exit 1 if any is rejected)",
    )
    .action(async (opts, cmd: Command) => {
      const { config, json, progress } = await context(cmd);
      const { UsageError } = await import("../../../core/errors.ts");
      const { modelVars } = await import("../../../core/config.ts");
      const { loadProject, uniqueId } = await import("../../../core/dbt/project.ts");
      const { compileProject, selectModels } = await import("../../../core/dbt/runner.ts");
      const { compileDataTests } = await import("../../../core/dbt/tests.ts");
      const { writeCompiled } = await import("../../../core/dbt/compiled-files.ts");
      const project = loadProject(PROJECT_ROOT, { target: opts.target });
      Object.assign(project.vars, modelVars(config));
      const compiled = compileProject(project);
      const selected = selectModels(compiled, (opts.select ?? []).join(" "), project.seeds);
      const chosen = [...compiled.values()].filter((m) => selected.has(m.node.name));
      const tests = compileDataTests(project, compiled);
      const bigquery = project.target.type === "bigquery";
      if (opts.dryRun && !bigquery)
        throw new UsageError(
          `--dry-run needs a bigquery target; ${project.target.name} is ${project.target.type}`,
        );
      if (!bigquery) {
        writeCompiled(project, [
          ...chosen.map((m) => ({
            id: uniqueId(project, "model", m.node.name),
            path: m.node.file,
            sql: m.sql,
          })),
          ...tests
            .filter((t) => t.refs.some((r) => selected.has(r)))
            .map((t) => ({ id: t.id, path: path.join(path.dirname(t.file), `${t.name}.sql`), sql: t.sql })),
        ]);
        print(
          json,
          chosen.map((m) => ({ model: m.node.name, relation: m.relation, sql: m.sql })),
          chosen.map((m) => `-- ${m.relation}\n${m.sql}\n`).join("\n"),
        );
        return;
      }
      const { bigQueryStatements, dryRunStatements } = await import("../../../core/dbt/bigquery/compile.ts");
      const statements = bigQueryStatements(project, compiled, tests, selected);
      writeCompiled(project, statements);
      if (!opts.dryRun) {
        print(
          json,
          chosen.map((m) => ({ model: m.node.name, relation: m.relation, sql: m.sql })),
          chosen.map((m) => `-- ${m.relation}\n${m.sql}\n`).join("\n"),
        );
        return;
      }
      const { bigQueryFor } = await import("../../../core/dbt/bigquery/client.ts");
      const client = await bigQueryFor(project.target);
      const results = await progress.step(`Dry-running ${statements.length} statements on BigQuery`, () =>
        dryRunStatements(client, statements, project.threads),
      );
      const total = results.reduce((sum, r) => sum + (r.bytes ?? 0), 0);
      print(
        json,
        { results, total_bytes_processed: total },
        [
          ...results.map(
            (r) =>
              `${r.status.padEnd(8)} ${(r.bytes === null ? "" : formatBytes(r.bytes)).padStart(10)}  ${r.id}${r.message ? `  ${r.message}` : ""}`,
          ),
          `${results.filter((r) => r.status === "ok").length} of ${results.length} statements valid; ${formatBytes(total)} would be processed`,
        ].join("\n"),
      );
      if (results.some((r) => r.status === "invalid" || r.status === "error")) process.exitCode = 1;
    });
  models
    .command("bigquery-sources")
    .description(
      "print (or --apply) the BigQuery DDL for the project's sources: the lake's raw tables as external " +
        "tables over Hive-partitioned Parquet in Cloud Storage, cco's own tables as empty tables",
    )
    .requiredOption("--lake <gs-uri>", "the lake's copy in Cloud Storage, e.g. gs://acme-finops/lake")
    .option("-t, --target <name>", "a bigquery output of profiles.yml", "bigquery")
    .option("--apply", "run the statements on BigQuery instead of printing them")
    .action(async (opts, cmd: Command) => {
      const { json, progress } = await context(cmd);
      const { loadProject } = await import("../../../core/dbt/project.ts");
      const { bigQuerySourceStatements } = await import("../../../core/dbt/bigquery/sources.ts");
      const { FORMATS } = await import("../../../ingest/providers.ts");
      const project = loadProject(PROJECT_ROOT, { target: opts.target });
      const statements = bigQuerySourceStatements(project, opts.lake, FORMATS);
      if (opts.apply) {
        const { bigQueryFor } = await import("../../../core/dbt/bigquery/client.ts");
        const client = await bigQueryFor(project.target);
        await progress.step(`Creating ${statements.length} source relations on BigQuery`, async (tick) => {
          for (const [i, s] of statements.entries()) {
            await client.run(s.statement);
            tick(i + 1, statements.length);
          }
        });
      }
      print(json, statements, statements.map((s) => `${s.statement};\n`).join("\n"));
    });
  models
    .command("docs")
    .description("write the data dictionary (markdown) from the schema YAML")
    .option("--out <file>", "output file (default: target/data-dictionary.md in the project)")
    .action(async (opts, cmd: Command) => {
      const { json } = await context(cmd);
      const { loadProject } = await import("../../../core/dbt/project.ts");
      const { writeDataDictionary } = await import("../../../core/dbt/docs.ts");
      const out = opts.out ? path.resolve(opts.out) : path.join(PROJECT_ROOT, "target", "data-dictionary.md");
      const file = writeDataDictionary(loadProject(PROJECT_ROOT), out);
      print(json, { file }, `Data dictionary written to ${file}`);
    });
  registerFocusCheck(models);
}

/** Whether --target names a BigQuery output of profiles.yml (the profile's default otherwise). */
async function isBigQuery(target: string | undefined): Promise<boolean> {
  const { loadProject } = await import("../../../core/dbt/project.ts");
  return loadProject(PROJECT_ROOT, { target }).target.type === "bigquery";
}

function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit ? value.toFixed(1) : value} ${units[unit]}`;
}
