/**
 * cloudwatch://<region>[?instance=i-…]: hourly EC2 utilization from CloudWatch
 * GetMetricData (CPU average and maximum, network and disk bytes, and memory where
 * the CloudWatch agent reports mem_used_percent), written in the metrics layout,
 * one file per month from --since. Without instance parameters, the AWS virtual
 * machines the landed billing shows in that region are pulled.
 */
import path from "node:path";
import type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { InputError, UsageError } from "../../core/errors.ts";
import { writeMonthlyMetrics } from "../remote/monthly-csv.ts";
import type { RemoteSource } from "../remote/source.ts";
import { billedVirtualMachines } from "./billed-resources.ts";

const METRICS: {
  id: string;
  namespace: string;
  name: string;
  stat: string;
  column: string;
  dimension: string;
}[] = [
  {
    id: "cpuavg",
    namespace: "AWS/EC2",
    name: "CPUUtilization",
    stat: "Average",
    column: "cpu_avg_pct",
    dimension: "InstanceId",
  },
  {
    id: "cpumax",
    namespace: "AWS/EC2",
    name: "CPUUtilization",
    stat: "Maximum",
    column: "cpu_max_pct",
    dimension: "InstanceId",
  },
  {
    id: "memavg",
    namespace: "CWAgent",
    name: "mem_used_percent",
    stat: "Average",
    column: "memory_avg_pct",
    dimension: "InstanceId",
  },
  {
    id: "memmax",
    namespace: "CWAgent",
    name: "mem_used_percent",
    stat: "Maximum",
    column: "memory_max_pct",
    dimension: "InstanceId",
  },
  {
    id: "netin",
    namespace: "AWS/EC2",
    name: "NetworkIn",
    stat: "Sum",
    column: "network_in_bytes",
    dimension: "InstanceId",
  },
  {
    id: "netout",
    namespace: "AWS/EC2",
    name: "NetworkOut",
    stat: "Sum",
    column: "network_out_bytes",
    dimension: "InstanceId",
  },
  {
    id: "diskr",
    namespace: "AWS/EC2",
    name: "EBSReadBytes",
    stat: "Sum",
    column: "disk_read_bytes",
    dimension: "InstanceId",
  },
  {
    id: "diskw",
    namespace: "AWS/EC2",
    name: "EBSWriteBytes",
    stat: "Sum",
    column: "disk_write_bytes",
    dimension: "InstanceId",
  },
];

/** GetMetricData takes at most 500 queries a call. */
const INSTANCES_PER_CALL = Math.floor(500 / METRICS.length);

export const cloudWatchSource: RemoteSource = {
  forms: ["cloudwatch://<region>[?instance=<id>&instance=…]  (with --since YYYY-MM[-DD])"],
  description: "Amazon CloudWatch hourly EC2 metrics (GetMetricData) into the metrics layout",
  matches: (uri) => uri.startsWith("cloudwatch://"),
  async fetch(uri, { cacheDir, progress, since, warehouse }) {
    const url = new URL(uri);
    const region = url.host;
    if (!since) throw new UsageError(`${uri}: pass --since YYYY-MM (the first month to fetch)`);
    let instances = url.searchParams.getAll("instance");
    if (!instances.length && warehouse) instances = await billedVirtualMachines(warehouse, { region });
    if (!instances.length)
      throw new UsageError(
        `${uri}: no instances: pass ?instance=<id>, or ingest billing first (its VMs are read from the landed billing)`,
      );
    const start = new Date(`${since.slice(0, 7)}-01T00:00:00Z`);
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    // Endpoint overrides come from the SDK's own AWS_ENDPOINT_URL(_CLOUDWATCH) settings.
    const { CloudWatchClient, GetMetricDataCommand } = await import("@aws-sdk/client-cloudwatch");
    const client = new CloudWatchClient({ region });
    const samples = new Map<string, Record<string, number | string>>();
    try {
      await progress.step(`Reading CloudWatch metrics for ${instances.length} instances`, async (tick) => {
        for (let i = 0; i < instances.length; i += INSTANCES_PER_CALL) {
          const batch = instances.slice(i, i + INSTANCES_PER_CALL);
          const queries: MetricDataQuery[] = batch.flatMap((instance, b) =>
            METRICS.map((m) => ({
              Id: `${m.id}_${b}`,
              MetricStat: {
                Metric: {
                  Namespace: m.namespace,
                  MetricName: m.name,
                  Dimensions: [{ Name: m.dimension, Value: instance }],
                },
                Period: 3600,
                Stat: m.stat,
              },
            })),
          );
          let token: string | undefined;
          do {
            const page = await client.send(
              new GetMetricDataCommand({
                MetricDataQueries: queries,
                StartTime: start,
                EndTime: end,
                NextToken: token,
                ScanBy: "TimestampAscending",
              }),
            );
            for (const result of page.MetricDataResults ?? []) {
              const [metricId, index] = (result.Id ?? "").split("_") as [string, string];
              const metric = METRICS.find((m) => m.id === metricId);
              const instance = batch[Number(index)];
              if (!metric || !instance) continue;
              (result.Timestamps ?? []).forEach((t, k) => {
                const hour = new Date(t).toISOString();
                const key = `${instance}|${hour}`;
                const sample = samples.get(key) ?? {
                  timestamp: hour,
                  provider: "aws",
                  resource_id: instance,
                  source: "cloudwatch",
                };
                sample[metric.column] = result.Values?.[k] ?? "";
                samples.set(key, sample);
              });
            }
            token = page.NextToken;
          } while (token);
          tick(Math.min(i + INSTANCES_PER_CALL, instances.length), instances.length);
        }
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(
        uri,
        `cannot read CloudWatch: ${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`,
      );
    } finally {
      client.destroy();
    }
    return writeMonthlyMetrics(path.join(cacheDir, "cloudwatch", region), "cloudwatch", [
      ...samples.values(),
    ]);
  },
};
