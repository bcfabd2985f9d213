/**
 * `advanceSandbox`: move the simulated clock on by whole days and deliver, for every day that
 * ended, the billing and metrics the estate's providers would: the month in progress restated
 * each day (month to date, no invoice yet), in the generator's layouts and through its writers,
 * under <dataDir>/sandbox/exports/ for `cco ingest` to load.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Config } from "../../../core/config.ts";
import { UsageError } from "../../../core/errors.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { writeAwsCur2 } from "../../../orchestrator/estate-generator/writers/aws-cur2.ts";
import { writeAwsCurLegacy } from "../../../orchestrator/estate-generator/writers/aws-cur-legacy.ts";
import { writeAzureMca } from "../../../orchestrator/estate-generator/writers/azure-mca.ts";
import type { ExportWriter, WriterContext } from "../../../orchestrator/estate-generator/writers/common.ts";
import { writeFocus } from "../../../orchestrator/estate-generator/writers/focus.ts";
import { writeGcpBigQuery } from "../../../orchestrator/estate-generator/writers/gcp-bigquery.ts";
import { writeMetrics } from "../../../orchestrator/estate-generator/writers/metrics.ts";
import { buildLineTable, buildMetricsTable, daysBetween } from "./billing.ts";
import { readProfiles } from "./metrics.ts";
import { openSandbox } from "./sandbox.ts";
import { exportsDir, type SandboxState } from "./state.ts";

const DAY_MS = 86_400_000;

/** The writer of each export kind the sandbox bills (the generator's own). */
const BILLING_WRITERS: Record<string, ExportWriter> = {
  aws_cur2: writeAwsCur2,
  aws_cur_legacy: writeAwsCurLegacy,
  azure_mca: writeAzureMca,
  gcp_bq: writeGcpBigQuery,
  focus: writeFocus,
};

export interface AdvanceResult {
  clock: string;
  /** The days billed by this call. */
  days: string[];
  outDir: string;
  files: string[];
}

export async function advanceSandbox(
  config: Config,
  warehouse: Warehouse,
  options: { days: number },
): Promise<AdvanceResult> {
  if (!Number.isInteger(options.days) || options.days < 1)
    throw new UsageError(`--days must be a whole number of days, at least 1`);
  const sandbox = await openSandbox(config, warehouse);
  const { state, newDays } = sandbox.mutate((s) => {
    s.clock = new Date(Date.parse(s.clock) + options.days * DAY_MS).toISOString();
    // Every day that has ended by the new clock and was not billed yet.
    const lastEnded = new Date(Math.floor(Date.parse(s.clock) / DAY_MS) * DAY_MS - DAY_MS)
      .toISOString()
      .slice(0, 10);
    const first = s.billedThrough ? nextDay(s.billedThrough) : s.startedAt.slice(0, 10);
    const days = first <= lastEnded ? daysBetween(first, lastEnded) : [];
    if (days.length) s.billedThrough = lastEnded;
    return { state: structuredClone(s), newDays: days };
  });
  const outDir = exportsDir(config.dataDir);
  if (!newDays.length) return { clock: state.clock, days: [], outDir, files: [] };
  if (!state.startedAt.slice(0, 10).endsWith("-01")) {
    // A restated month replaces the estate's own file of that month: bill only whole new periods.
    throw new UsageError(
      `the estate ends mid-month (${state.estateEnd}): the sandbox bills whole periods after it; generate with end_date on a month's last day`,
    );
  }
  const months = [...new Set(newDays.map((d) => d.slice(0, 7)))];
  const files = await writeMonths(state, config, warehouse, months, outDir);
  return { clock: state.clock, days: newDays, outDir, files };
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** Write each month from its first sandbox day to the last billed day, as the month's delivery. */
async function writeMonths(
  state: SandboxState,
  config: Config,
  warehouse: Warehouse,
  months: string[],
  outDir: string,
): Promise<string[]> {
  const commitments = await warehouse.all<{ commitment_id: string; start_date: string; term_months: number }>(
    `SELECT commitment_id, min(term_start)::VARCHAR AS start_date,
       datediff('month', min(term_start), max(term_end))::INTEGER AS term_months
     FROM marts.commitments WHERE term_start IS NOT NULL GROUP BY commitment_id`,
  );
  const profiles = readProfiles.fromFile(config.dataDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "cco-sandbox-"));
  // As the generator does: output order must not depend on thread scheduling.
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "2",
    preserve_insertion_order: "true",
  });
  const con = await instance.connect();
  try {
    const firstDay = state.startedAt.slice(0, 10);
    const days = daysBetween(firstDay, state.billedThrough!).filter((d) => months.includes(d.slice(0, 7)));
    await buildLineTable(con, state, days, commitments, tmp);
    await buildMetricsTable(con, state, config.actions.sandbox, profiles, days, tmp);
    const ctx: WriterContext = { con, outDir, months, openMonth: state.billedThrough!.slice(0, 7) };
    const exportKinds = new Set(Object.values(state.resources).map((r) => r.billing.export));
    const files: string[] = [];
    for (const [kind, writer] of Object.entries(BILLING_WRITERS)) {
      if (exportKinds.has(kind)) files.push(...(await writer(ctx)));
    }
    files.push(...(await writeMetrics(ctx)));
    return files;
  } finally {
    con.closeSync();
    instance.closeSync();
    rmSync(tmp, { recursive: true, force: true });
  }
}
