/**
 * Hourly utilization per compute resource in the documented metrics layout
 * (README "Metrics files"): metrics/<provider>/month=YYYY-MM/metrics.parquet,
 * one row per resource and hour, avg and max CPU and memory (memory null where
 * no agent reports it), network and disk bytes per hour.
 */
import { lit } from "../../../core/sql.ts";
import path from "node:path";
import { METRIC_KEY_COLUMNS, METRIC_VALUE_COLUMNS } from "../../../ingest/metrics/layout.ts";
import { copyTo, type ExportWriter } from "./common.ts";

export const METRIC_COLUMNS = [...METRIC_KEY_COLUMNS, ...METRIC_VALUE_COLUMNS] as const;

export const writeMetrics: ExportWriter = async (ctx) => {
  const files: string[] = [];
  for (const provider of ["aws", "azure", "gcp", "oci"]) {
    for (const month of ctx.months) {
      const query = `SELECT timestamp::TIMESTAMPTZ AS timestamp, ${METRIC_COLUMNS.slice(1).join(", ")}
        FROM metrics WHERE provider = ${lit(provider)} AND strftime(timestamp, '%Y-%m') = ${lit(month)}
        ORDER BY resource_id, timestamp`;
      const file = path.join("metrics", provider, `month=${month}`, "metrics.parquet");
      files.push(await copyTo(ctx, query, file, "FORMAT parquet, COMPRESSION zstd"));
    }
  }
  return files;
};
