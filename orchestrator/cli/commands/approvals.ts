/**
 * `cco approvals …`: the approval table platform engineers decide in. export writes it (xlsx or
 * CSV), import reads decisions back (all or nothing), decide records one from the command line,
 * status shows where each row stands.
 */
import path from "node:path";
import { Argument, type Command, InvalidArgumentError, Option } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { context, print, warehouseFor } from "../context.ts";

/** An ISO date or datetime (UTC unless an offset is given). */
function instant(value: string): Date {
  const m = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  const at = m ? new Date(m[1] ? (m[4] ? value : `${value}Z`) : `${value}T00:00:00Z`) : undefined;
  if (!at || Number.isNaN(at.getTime())) {
    throw new InvalidArgumentError("expected a date or datetime, e.g. 2026-11-03 or 2026-11-03T08:00Z");
  }
  return at;
}

const asOf = () =>
  new Option("--as-of <datetime>", "the time the command counts as now (default: now)").argParser(instant);

export function register(program: Command): void {
  const approvals = program
    .command("approvals")
    .description("The approval table platform engineers decide in");

  approvals
    .command("export")
    .description("refresh the approval queue and write it as a table to decide in (xlsx or CSV)")
    .addOption(
      new Option("--format <format>", "xlsx or csv (default: from --out, else xlsx)").choices([
        "xlsx",
        "csv",
      ]),
    )
    .option("--out <file>", "output file (default <data-dir>/exports/approvals.xlsx)")
    .option("--import-first", "import the decisions the file holds (needs --as), then export over it")
    .option("--as <approver>", "who decided, with --import-first")
    .option("--force", "overwrite decisions not imported (the file is kept as a dated copy)")
    .addOption(asOf())
    .action(
      async (
        opts: {
          format?: "xlsx" | "csv";
          out?: string;
          importFirst?: boolean;
          as?: string;
          force?: boolean;
          asOf?: Date;
        },
        cmd: Command,
      ) => {
        const { config, json } = await context(cmd);
        if (opts.importFirst && !opts.as) throw new UsageError("--import-first needs --as <approver>");
        const format =
          opts.format ?? (opts.out && path.extname(opts.out).toLowerCase() === ".csv" ? "csv" : "xlsx");
        const out = path.resolve(opts.out ?? path.join(config.paths.exports, `approvals.${format}`));
        if (path.extname(out).toLowerCase() !== `.${format}`) {
          throw new UsageError(`--out ${opts.out}: a ${format} table's file name ends in .${format}`);
        }
        const { exportApprovals } = await import("../../../actions/approvals/export.ts");
        const warehouse = await warehouseFor(config);
        const result = await exportApprovals(warehouse, config, {
          out,
          format,
          force: opts.force,
          importFirstAs: opts.importFirst ? opts.as : undefined,
          now: opts.asOf,
        });
        print(
          json,
          result,
          [
            result.imported
              ? `Imported ${result.imported.applied.length} decisions from the previous table first.`
              : "",
            result.discarded
              ? `Overwrote ${result.discarded.rows} decisions not imported; they are kept in ${result.discarded.keptIn}.`
              : "",
            `${result.rows} rows to decide written to ${result.file}${result.previous ? ` (previous: ${result.previous})` : ""}`,
          ]
            .filter(Boolean)
            .join("\n"),
        );
      },
    );

  approvals
    .command("import")
    .description("record the decisions typed into an approval table: every row checked, all or nothing")
    .argument("<file>", "the edited table (.xlsx or .csv)")
    .requiredOption("--as <approver>", "who decided (recorded with each decision)")
    .action(async (file: string, opts: { as: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { importDecisions, DecisionsRejectedError } = await import(
        "../../../actions/approvals/decisions.ts"
      );
      const warehouse = await warehouseFor(config);
      try {
        const result = await importDecisions(warehouse, config, file, opts.as);
        print(
          json,
          result,
          `${result.applied.length} decisions recorded as ${opts.as} from ${result.file} (${result.skipped} rows without a decision left alone)`,
        );
      } catch (error) {
        if (!(json && error instanceof DecisionsRejectedError)) throw error;
        print(true, { applied: 0, errors: error.problems }, "");
        process.exitCode = 1;
      }
    });

  approvals
    .command("decide")
    .description("record one decision from the command line, through the import's checks")
    .argument("<recommendation-id>")
    .addArgument(
      new Argument("<decision>", "approve, reject or defer").choices(["approve", "reject", "defer"]),
    )
    .requiredOption("--as <approver>", "who decides")
    .option("--note <text>", "why")
    .option("--execute-after <datetime>", "not before (ISO; UTC unless an offset is given)")
    .option("--acknowledge-irreversible", "the action has a step no undo restores, and that is understood")
    .action(
      async (
        id: string,
        decision: string,
        opts: { as: string; note?: string; executeAfter?: string; acknowledgeIrreversible?: boolean },
        cmd: Command,
      ) => {
        const { config, json } = await context(cmd);
        const { decideOne } = await import("../../../actions/approvals/decisions.ts");
        const warehouse = await warehouseFor(config);
        const applied = await decideOne(warehouse, config, {
          recommendationId: id,
          decision,
          approver: opts.as,
          note: opts.note,
          executeAfter: opts.executeAfter,
          acknowledgeIrreversible: opts.acknowledgeIrreversible,
        });
        print(json, applied, `${opts.as}: ${decision} ${id} (version ${applied.version}) recorded`);
      },
    );

  approvals
    .command("status")
    .description("where each queued row stands: approvals counted, required, state, due and expiry")
    .addOption(asOf())
    .action(async (opts: { asOf?: Date }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { approvalStatus } = await import("../../../actions/approvals/status.ts");
      const { toAlignedTable } = await import("../../format-table.ts");
      const warehouse = await warehouseFor(config);
      const statuses = await approvalStatus(warehouse, config, opts.asOf ?? new Date());
      const iso = (d: Date | null) => (d ? d.toISOString().replace(/:\d{2}\.\d{3}Z$/, "Z") : "");
      print(
        json,
        statuses.map(({ row, ...s }) => ({ ...s, actionKind: row.action_kind, resourceId: row.resource_id })),
        statuses.length
          ? toAlignedTable({
              columns: [
                "recommendation",
                "state",
                "approvals",
                "kind",
                "resource",
                "execute after",
                "expires",
              ],
              rows: statuses.map((s) => [
                s.recommendationId,
                s.state,
                `${s.approvals}/${s.required}`,
                s.row.action_kind ?? "manual",
                (s.row.resource_id ?? "").length > 40
                  ? `…${s.row.resource_id!.slice(-39)}`
                  : (s.row.resource_id ?? ""),
                iso(s.executeAfter),
                iso(s.expiresAt),
              ]),
            })
          : "The approval queue is empty: run cco recommend (or cco approvals export) first.",
      );
    });
}
