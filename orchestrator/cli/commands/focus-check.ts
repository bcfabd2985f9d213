/** `cco models focus-check`: a FOCUS table or file against the official FOCUS 1.2 rules model. */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Command, Option } from "commander";
import { CheckFailedError, UsageError } from "../../../core/errors.ts";
import { createProgress } from "../../../core/log.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { beforeInvoked, context, print, warehouseFor } from "../context.ts";

const RELATION = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

export function register(models: Command): void {
  const criteriaOption = new Option(
    "--criteria <list>",
    "applicability criteria the data's provider meets, comma-separated; default: the warehouse's own for a relation, none for --file",
  );
  const focusCheck = models
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
    .addOption(criteriaOption)
    .option("--all", "list every rule, not only the failing ones")
    .option("--allow-empty", "a dataset without rows passes (nothing is checked); by default it fails")
    .addHelpText(
      "after",
      "\nExit codes: 0 when every applicable MUST / MUST NOT rule passes, 1 when one fails or the data has no rows.",
    )
    .action(async (opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { checkConformance, loadModel } = await import("../../../core/focus/conformance.ts");
      const { WAREHOUSE_CRITERIA } = await import("../../../core/focus/criteria.ts");
      const known = Object.keys(loadModel().ApplicabilityCriteria);
      const criteria = String(opts.criteria ?? (opts.file ? "" : WAREHOUSE_CRITERIA.join(",")))
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean);
      const unknown = criteria.filter((c) => !known.includes(c));
      if (unknown.length) {
        throw new UsageError(`--criteria: unknown ${unknown.join(", ")}; one of ${known.join(", ")}`);
      }
      let warehouse: Warehouse;
      let relation = String(opts.relation);
      // A file is loaded into a scratch database and lake, removed after the check.
      let scratch: string | undefined;
      if (opts.file) {
        if (!existsSync(opts.file)) throw new UsageError(`--file ${opts.file}: no such file`);
        const { Warehouse } = await import("../../../core/warehouse/warehouse.ts");
        const { ingestPaths } = await import("../../../ingest/load.ts");
        const { landedRelation } = await import("../../../ingest/raw-views.ts");
        scratch = mkdtempSync(path.join(os.tmpdir(), "cco-focus-check-"));
        warehouse = await Warehouse.open({ path: ":memory:" });
        try {
          await ingestPaths(
            warehouse,
            [opts.file],
            { lakeDir: scratch, format: "focus" },
            createProgress({ quiet: true }),
          );
          // The file as it is: the raw view would add the columns the models declare as nulls.
          relation = await landedRelation(warehouse, "raw.focus_cost_lines");
        } catch (error) {
          await warehouse.close();
          rmSync(scratch, { recursive: true, force: true });
          throw error;
        }
      } else {
        if (!RELATION.test(relation)) {
          throw new UsageError(
            `--relation ${relation}: expected a table or view name, e.g. marts.focus_costs`,
          );
        }
        warehouse = await warehouseFor(config);
        const [schema, table] = relation.includes(".") ? relation.split(".") : ["main", relation];
        if (!(await warehouse.tableExists(schema!, table!))) {
          throw new UsageError(
            `${relation} does not exist${relation === "marts.focus_costs" ? " (the focus_costs mart is not built yet; pass --relation, e.g. raw.focus_cost_lines, or --file)" : ""}`,
          );
        }
      }
      const shownAs = opts.file ? String(opts.file) : relation;
      try {
        const checked = await checkConformance(warehouse, relation, { version: opts.focusVersion, criteria });
        const report = { ...checked, relation: shownAs };
        // On no rows every row-level rule "passes": that is no evidence, so it is not reported as passing.
        if (report.rowsChecked === 0) {
          if (!opts.allowEmpty) {
            throw new CheckFailedError(
              `${shownAs} has no rows: no FOCUS rule was checked against data (--allow-empty accepts an empty dataset)`,
            );
          }
          print(
            json,
            { relation: shownAs, version: report.version, rowsChecked: 0, rules: [] },
            `${shownAs}: no rows, so no rule was checked (--allow-empty)`,
          );
          return;
        }
        const shown = opts.all ? report.rules : report.rules.filter((r) => r.status === "fail");
        print(
          json,
          { ...report, rules: shown },
          [
            ...shown.map(
              (r) =>
                `${r.status.padEnd(7)} ${r.id.padEnd(36)} ${r.keyword.padEnd(11)} ${r.failing ? `${r.failing} rows  ` : ""}${r.reason ?? r.requirement}`,
            ),
            `${report.relation} (${report.rowsChecked} rows): ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped; score ${report.score}% of applicable rules; ${report.mustFailures} MUST rules failing`,
          ].join("\n"),
        );
        if (report.mustFailures) process.exitCode = 1;
      } finally {
        if (scratch) {
          await warehouse.close();
          rmSync(scratch, { recursive: true, force: true });
        }
      }
    });
  beforeInvoked(focusCheck, async () => {
    const { loadModel } = await import("../../../core/focus/conformance.ts");
    const count = Object.keys(loadModel().ApplicabilityCriteria).length;
    criteriaOption.description = `applicability criteria the data's provider meets, comma-separated (${count} exist); default: the warehouse's own for a relation, none for --file`;
  });
}
