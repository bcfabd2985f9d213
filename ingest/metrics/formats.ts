/** Hourly utilization in the documented metrics layout (README "Metrics files"). */
import { lit } from "../../core/sql.ts";
import { col, hasColumns, readCsvText, type SourceFormat } from "../format.ts";

export const metricsHourly: SourceFormat = {
  id: "metrics_hourly",
  delivery: () => "slice",
  provider: "metrics",
  description:
    "Hourly utilization per resource (CSV or Parquet): timestamp, provider, resource_id, cpu/memory avg+max, network and disk bytes",
  rawTable: "metrics_hourly",
  detect: (p) =>
    (p.kind === "csv" || p.kind === "parquet") && hasColumns(p, ["timestamp", "resource_id", "cpu_avg_pct"]),
  read: (p) =>
    p.kind === "parquet"
      ? `SELECT * FROM read_parquet(${lit(p.readPath)}, hive_partitioning = false)`
      : readCsvText(p),
  requiredColumns: ["timestamp", "provider", "resource_id", "cpu_avg_pct", "cpu_max_pct"],
  // Samples restate per provider and origin (file, cloudwatch, …) and month.
  billingAccount: (p) => `provider || ':' || coalesce(${col(p, "source")}, 'file')`,
  billingPeriod: () => "strftime(timestamp::TIMESTAMPTZ AT TIME ZONE 'UTC', '%Y-%m')",
  cost: () => null,
  currency: () => null,
  numericColumns: ["cpu_avg_pct", "cpu_max_pct", "memory_avg_pct", "memory_max_pct"],
  dateColumns: ["timestamp"],
};
