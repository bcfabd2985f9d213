/**
 * azuremonitor://<subscription-id>[?resource=<ARM id>]: hourly VM utilization from
 * Azure Monitor platform metrics (Percentage CPU average and maximum, network and
 * disk bytes, Available Memory Percentage where reported), written in the metrics
 * layout, one file per month from --since. Without resource parameters, the Azure
 * VMs the landed billing shows in that subscription are pulled.
 */
import path from "node:path";
import { InputError, UsageError } from "../../core/errors.ts";
import { azureCredential } from "./credential.ts";
import { writeMonthlyMetrics } from "../remote/monthly-csv.ts";
import type { RemoteSource } from "../remote/source.ts";
import { billedVirtualMachines } from "./billed-resources.ts";

/** Azure metric name, aggregation, and the metrics-layout column it fills. */
const METRICS: {
  name: string;
  aggregation: "average" | "maximum" | "minimum" | "total";
  column: string;
  transform?: (v: number) => number;
}[] = [
  { name: "Percentage CPU", aggregation: "average", column: "cpu_avg_pct" },
  { name: "Percentage CPU", aggregation: "maximum", column: "cpu_max_pct" },
  // Azure reports memory available; the layout wants memory used.
  {
    name: "Available Memory Percentage",
    aggregation: "average",
    column: "memory_avg_pct",
    transform: (v) => 100 - v,
  },
  // The hour's least memory available is its most memory used.
  {
    name: "Available Memory Percentage",
    aggregation: "minimum",
    column: "memory_max_pct",
    transform: (v) => 100 - v,
  },
  { name: "Network In Total", aggregation: "total", column: "network_in_bytes" },
  { name: "Network Out Total", aggregation: "total", column: "network_out_bytes" },
  { name: "Disk Read Bytes", aggregation: "total", column: "disk_read_bytes" },
  { name: "Disk Write Bytes", aggregation: "total", column: "disk_write_bytes" },
];

export const azureMonitorSource: RemoteSource = {
  forms: ["azuremonitor://<subscription-id>[?resource=<ARM id>&…]  (with --since YYYY-MM[-DD])"],
  description: "Azure Monitor hourly VM platform metrics into the metrics layout",
  matches: (uri) => uri.startsWith("azuremonitor://"),
  async fetch(uri, { cacheDir, config, progress, since, warehouse }) {
    const url = new URL(uri);
    const subscription = url.host;
    if (!since) throw new UsageError(`${uri}: pass --since YYYY-MM (the first month to fetch)`);
    let resources = url.searchParams.getAll("resource");
    if (!resources.length && warehouse) resources = await billedVirtualMachines(warehouse, { subscription });
    if (!resources.length)
      throw new UsageError(
        `${uri}: no VMs: pass ?resource=<ARM id>, or ingest billing first (its VMs are read from the landed billing)`,
      );
    const { MetricsQueryClient } = await import("@azure/monitor-query");
    const client = new MetricsQueryClient(await azureCredential(), {
      endpoint: config.sources.azure.armEndpoint,
    });
    const startTime = new Date(`${since.slice(0, 7)}-01T00:00:00Z`);
    const endTime = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const samples = new Map<string, Record<string, number | string>>();
    const names = [...new Set(METRICS.map((m) => m.name))];
    try {
      await progress.step(`Reading Azure Monitor metrics for ${resources.length} VMs`, async (tick) => {
        for (const [i, resource] of resources.entries()) {
          const result = await client.queryResource(resource, names, {
            granularity: "PT1H",
            aggregations: ["Average", "Maximum", "Minimum", "Total"],
            timespan: { startTime, endTime },
          });
          for (const metric of result.metrics) {
            for (const series of metric.timeseries) {
              for (const point of series.data ?? []) {
                const hour = point.timeStamp.toISOString();
                const key = `${resource}|${hour}`;
                const sample = samples.get(key) ?? {
                  timestamp: hour,
                  provider: "azure",
                  resource_id: resource,
                  source: "azure_monitor",
                };
                for (const m of METRICS.filter((x) => x.name === metric.name)) {
                  const value = (point as unknown as Record<string, number | undefined>)[m.aggregation];
                  if (typeof value === "number") sample[m.column] = m.transform ? m.transform(value) : value;
                }
                samples.set(key, sample);
              }
            }
          }
          tick(i + 1, resources.length);
        }
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(uri, `cannot read Azure Monitor: ${(error as Error).message.split("\n")[0]}`);
    }
    return writeMonthlyMetrics(path.join(cacheDir, "azuremonitor", subscription), "azure_monitor", [
      ...samples.values(),
    ]);
  },
};
