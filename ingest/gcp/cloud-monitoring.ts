/**
 * cloudmonitoring://<project>[?instance=<name>]: hourly Compute Engine utilization
 * from Cloud Monitoring (timeSeries.list, REST transport): CPU utilization mean and
 * max, network and disk bytes, and memory where the Ops Agent reports it, written
 * in the metrics layout with the instances' billing ids
 * (//compute.googleapis.com/projects/<p>/zones/<z>/instances/<name>).
 * Credentials: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default Credentials.
 */
import path from "node:path";
import type { MetricServiceClient } from "@google-cloud/monitoring";
import { InputError, UsageError } from "../../core/errors.ts";
import { writeMonthlyMetrics } from "../remote/monthly-csv.ts";
import type { RemoteSource } from "../remote/source.ts";

const SERIES: { type: string; aligner: string; column: string; scale: number; extraFilter?: string }[] = [
  {
    type: "compute.googleapis.com/instance/cpu/utilization",
    aligner: "ALIGN_MEAN",
    column: "cpu_avg_pct",
    scale: 100,
  },
  {
    type: "compute.googleapis.com/instance/cpu/utilization",
    aligner: "ALIGN_MAX",
    column: "cpu_max_pct",
    scale: 100,
  },
  {
    type: "agent.googleapis.com/memory/percent_used",
    aligner: "ALIGN_MEAN",
    column: "memory_avg_pct",
    scale: 1,
    extraFilter: 'metric.labels.state = "used"',
  },
  {
    type: "agent.googleapis.com/memory/percent_used",
    aligner: "ALIGN_MAX",
    column: "memory_max_pct",
    scale: 1,
    extraFilter: 'metric.labels.state = "used"',
  },
  {
    type: "compute.googleapis.com/instance/network/received_bytes_count",
    aligner: "ALIGN_SUM",
    column: "network_in_bytes",
    scale: 1,
  },
  {
    type: "compute.googleapis.com/instance/network/sent_bytes_count",
    aligner: "ALIGN_SUM",
    column: "network_out_bytes",
    scale: 1,
  },
  {
    type: "compute.googleapis.com/instance/disk/read_bytes_count",
    aligner: "ALIGN_SUM",
    column: "disk_read_bytes",
    scale: 1,
  },
  {
    type: "compute.googleapis.com/instance/disk/write_bytes_count",
    aligner: "ALIGN_SUM",
    column: "disk_write_bytes",
    scale: 1,
  },
];

async function client(apiEndpoint: string | undefined): Promise<MetricServiceClient> {
  const { MetricServiceClient } = await import("@google-cloud/monitoring");
  const { gcpClientOptions } = await import("../../core/gcp-client.ts");
  return new MetricServiceClient(
    (await gcpClientOptions(apiEndpoint)) as ConstructorParameters<typeof MetricServiceClient>[0],
  );
}

export const cloudMonitoringSource: RemoteSource = {
  forms: ["cloudmonitoring://<project>[?instance=<name>&…]  (with --since YYYY-MM[-DD])"],
  description: "Google Cloud Monitoring hourly Compute Engine metrics into the metrics layout",
  matches: (uri) => uri.startsWith("cloudmonitoring://"),
  async fetch(uri, { cacheDir, config, progress, since }) {
    const url = new URL(uri);
    const project = url.host;
    if (!since) throw new UsageError(`${uri}: pass --since YYYY-MM (the first month to fetch)`);
    const only = new Set(url.searchParams.getAll("instance"));
    const monitoring = await client(config.sources.cloudMonitoring.apiEndpoint);
    const start = new Date(`${since.slice(0, 7)}-01T00:00:00Z`);
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const samples = new Map<string, Record<string, number | string>>();
    try {
      await progress.step(`Reading Cloud Monitoring metrics for ${project}`, async (tick) => {
        for (const [i, s] of SERIES.entries()) {
          const filter = [`metric.type = "${s.type}"`, 'resource.type = "gce_instance"', s.extraFilter]
            .filter(Boolean)
            .join(" AND ");
          const [series] = await monitoring.listTimeSeries(
            {
              name: `projects/${project}`,
              filter,
              interval: {
                startTime: { seconds: Math.floor(start.getTime() / 1000) },
                endTime: { seconds: Math.floor(end.getTime() / 1000) },
              },
              aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: s.aligner as never },
              view: "FULL",
            },
            { autoPaginate: true },
          );
          for (const ts of series) {
            const zone = ts.resource?.labels?.zone ?? "";
            const name =
              ts.metadata?.systemLabels?.fields?.name?.stringValue ?? ts.resource?.labels?.instance_id ?? "";
            if (only.size && !only.has(name)) continue;
            const resourceId = `//compute.googleapis.com/projects/${project}/zones/${zone}/instances/${name}`;
            for (const p of ts.points ?? []) {
              const seconds = Number(p.interval?.startTime?.seconds ?? 0);
              const hour = new Date(seconds * 1000).toISOString();
              const v = p.value?.doubleValue ?? Number(p.value?.int64Value ?? Number.NaN);
              if (!Number.isFinite(v)) continue;
              const key = `${resourceId}|${hour}`;
              const sample = samples.get(key) ?? {
                timestamp: hour,
                provider: "gcp",
                resource_id: resourceId,
                source: "cloud_monitoring",
              };
              sample[s.column] = +(v * s.scale).toFixed(6);
              samples.set(key, sample);
            }
          }
          tick(i + 1, SERIES.length);
        }
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(uri, `cannot read Cloud Monitoring: ${(error as Error).message.split("\n")[0]}`);
    } finally {
      await monitoring.close().catch(() => undefined);
    }
    if (!samples.size) throw new InputError(uri, "no Compute Engine samples in the window");
    return writeMonthlyMetrics(path.join(cacheDir, "cloudmonitoring", project), "cloud_monitoring", [
      ...samples.values(),
    ]);
  },
};
