/**
 * A VM's hourly CPU (and memory, where the CloudWatch agent publishes mem_used_percent) since a
 * time, from CloudWatch GetMetricData, for the executor's verification window. An hour's sample
 * is its average, as the sandbox's are. Other resources have no metrics to judge: [].
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from "@aws-sdk/client-cloudwatch";
import type { MetricSample } from "../adapter.ts";
import { call, type Settings } from "./client.ts";
import { ec2Ref } from "./ids.ts";

const HOUR = 3_600_000;

export async function cpuMetrics(
  s: Settings,
  resourceId: string,
  since: Date,
  now: Date,
): Promise<MetricSample[]> {
  const ref = ec2Ref(resourceId);
  if (ref.kind !== "vm") return [];
  const start = new Date(Math.ceil(since.getTime() / HOUR) * HOUR);
  const end = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  if (end <= start) return [];
  const client = new CloudWatchClient({
    region: ref.region ?? s.region,
    ...(s.cloudwatchEndpoint ? { endpoint: s.cloudwatchEndpoint } : {}),
    ...(s.credentials ? { credentials: s.credentials } : {}),
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: s.requestTimeoutMs,
      connectionTimeout: s.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  const dimensions = [{ Name: "InstanceId", Value: ref.id }];
  const results: MetricDataResult[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const out = await call(`GetMetricData CPUUtilization ${ref.id}`, () =>
        client.send(
          new GetMetricDataCommand({
            StartTime: start,
            EndTime: end,
            ScanBy: "TimestampAscending",
            ...(NextToken ? { NextToken } : {}),
            MetricDataQueries: [
              {
                Id: "cpu",
                MetricStat: {
                  Metric: { Namespace: "AWS/EC2", MetricName: "CPUUtilization", Dimensions: dimensions },
                  Period: 3600,
                  Stat: "Average",
                },
              },
              {
                Id: "mem",
                MetricStat: {
                  Metric: { Namespace: "CWAgent", MetricName: "mem_used_percent", Dimensions: dimensions },
                  Period: 3600,
                  Stat: "Average",
                },
              },
            ],
          }),
        ),
      );
      results.push(...(out.MetricDataResults ?? []));
      NextToken = out.NextToken;
    } while (NextToken);
  } finally {
    client.destroy();
  }
  const byHour = new Map<string, MetricSample>();
  const series = (id: string) => results.filter((r) => r.Id === id);
  for (const r of series("cpu"))
    (r.Timestamps ?? []).forEach((t, i) => {
      const hour = new Date(t).toISOString();
      byHour.set(hour, { hour, cpuPct: r.Values?.[i] ?? 0 });
    });
  for (const r of series("mem"))
    (r.Timestamps ?? []).forEach((t, i) => {
      const sample = byHour.get(new Date(t).toISOString());
      if (sample && r.Values?.[i] !== undefined) sample.memoryPct = r.Values[i];
    });
  return [...byHour.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}
