/**
 * A VM's hourly CPU and memory since a time, from Azure Monitor platform metrics (Metrics - List,
 * GET {vm}/providers/Microsoft.Insights/metrics through @azure/monitor-query), for the executor's
 * verification window. An hour's sample is the average of its minutes, as the sandbox's and the
 * AWS adapter's are; only whole hours after `since` and before now are asked for, so a sample
 * never mixes the minutes before the change with those after it.
 * Metric names: https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-compute-virtualmachines-metrics
 * ("Available Memory Percentage" is reported by the host for every VM: memory used is 100 minus it,
 * with no need to know the size's memory). Other resources have no metrics to judge: [].
 */
import type { MetricSample } from "../adapter.ts";
import { type Caller, call } from "./call.ts";
import type { ArmId } from "./ids.ts";
import { METRICS_CALL } from "./permissions.ts";

const HOUR = 3_600_000;
const CPU = "Percentage CPU";
const MEMORY_AVAILABLE = "Available Memory Percentage";

export async function vmMetrics(caller: Caller, id: ArmId, since: Date, now: Date): Promise<MetricSample[]> {
  if (id.kind !== "vm") return [];
  const startTime = new Date(Math.ceil(since.getTime() / HOUR) * HOUR);
  const endTime = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  if (endTime <= startTime) return [];
  const { monitor } = await caller.clients(id.subscription);
  const { value: result } = await call(caller, METRICS_CALL, undefined, (o) => {
    // The poller's interval means nothing to a plain GET.
    const { updateIntervalInMs: _, ...options } = o.network;
    // The SDK's path is "/{resourceUri}/providers/…": an id without its leading "/" makes one "/".
    return monitor.queryResource(id.id.replace(/^\/+/, ""), [CPU, MEMORY_AVAILABLE], {
      ...options,
      granularity: "PT1H",
      aggregations: ["Average"],
      timespan: { startTime, endTime },
    });
  });
  const byHour = new Map<string, MetricSample>();
  const points = (name: string) =>
    result.metrics
      .filter((m) => m.name.toLowerCase() === name.toLowerCase())
      .flatMap((m) => m.timeseries.flatMap((t) => t.data ?? []))
      // An hour without data is listed with its timestamp and no average: not a sample.
      .filter((p) => typeof p.average === "number" && p.timeStamp.getTime() >= startTime.getTime());
  for (const p of points(CPU)) {
    const hour = p.timeStamp.toISOString();
    byHour.set(hour, { hour, cpuPct: p.average! });
  }
  for (const p of points(MEMORY_AVAILABLE)) {
    const sample = byHour.get(p.timeStamp.toISOString());
    if (sample) sample.memoryPct = Math.max(0, 100 - p.average!);
  }
  return [...byHour.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}
