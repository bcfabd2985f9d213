/** `cco models …`: the dbt project (models/) on the warehouse, with our runner. */
import path from "node:path";
import type { Command } from "commander";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { context, print, SELECT_HELP, warehouseFor } from "../context.ts";
import { register as registerFocusCheck } from "./focus-check.ts";

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
      .action(async (opts, cmd: Command) => {
        const { config, progress, json } = await context(cmd);
        const { modelsStage, snapshotStage } = await import("../../stages.ts");
        const warehouse = await warehouseFor(config);
        const { results, failed } = await modelsStage(
          warehouse,
          config,
          { select: opts.select, runModels, runTests, runSeeds, fullRefresh: opts.fullRefresh },
          progress,
        );
        if (runModels) await snapshotStage(warehouse, config, progress);
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
    .action(async (opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { modelVars } = await import("../../../core/config.ts");
      const { loadProject } = await import("../../../core/dbt/project.ts");
      const { compileProject, selectModels } = await import("../../../core/dbt/runner.ts");
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
