/**
 * Cost anomalies on known dates, of the kinds real estates see: one-day spikes of a usage
 * stream (an unfiltered BigQuery scan, a burst of function calls, a day of heavy egress),
 * increases lasting days (a data migration's egress, a retry loop), and one caused by a single
 * resource (a public bucket whose objects get downloaded). They are written into the streams,
 * so the exports carry them; truth.json carries each one's dates, expected and actual cost and
 * root cause in the ids and names the exports use. None touches a VM, disk, snapshot or
 * address: those carry the recommendation cases.
 */
import type { ExportKind } from "./accounts.ts";
import type { Anomaly, EstateResource, UsageStream } from "./estate.ts";
import { money, round } from "./numbers.ts";
import type { Prng } from "./prng.ts";
import { NOISE } from "./usage.ts";

interface Plan {
  id: string;
  kind: Anomaly["kind"];
  exportKind: ExportKind;
  stream: UsageStream["service"];
  /** The first day's distance from the window's last day. */
  daysBeforeEnd: number;
  days: number;
  /** The stream's usage is multiplied by this; a resource anomaly adds its own stream instead. */
  multiplier: number;
  description: string;
}

const PLANTED: Plan[] = [
  {
    id: "A1",
    kind: "spike",
    exportKind: "aws_cur2",
    stream: "egress",
    daysBeforeEnd: 20,
    days: 1,
    multiplier: 6,
    description: "a day of heavy internet egress from the payer account",
  },
  {
    id: "A2",
    kind: "spike",
    exportKind: "gcp_bq",
    stream: "analytics",
    daysBeforeEnd: 45,
    days: 1,
    multiplier: 8,
    description: "an unfiltered BigQuery scan over every partition",
  },
  {
    id: "A3",
    kind: "spike",
    exportKind: "azure_mca",
    stream: "serverless",
    daysBeforeEnd: 70,
    days: 1,
    multiplier: 5,
    description: "a burst of Azure Functions executions",
  },
  {
    id: "A4",
    kind: "sustained",
    exportKind: "azure_mca",
    stream: "egress",
    daysBeforeEnd: 33,
    days: 4,
    multiplier: 3,
    description: "four days of a data migration copying out over the internet",
  },
  {
    id: "A5",
    kind: "resource",
    exportKind: "aws_cur2",
    stream: "egress",
    daysBeforeEnd: 58,
    days: 3,
    multiplier: 75,
    description: "a public bucket's objects downloaded by the world for three days",
  },
  {
    id: "A6",
    kind: "sustained",
    exportKind: "focus",
    stream: "serverless",
    daysBeforeEnd: 84,
    days: 2,
    multiplier: 4,
    description: "a retry loop calling OCI Functions for two days",
  },
];

/** A detector needs history first: no anomaly in the window's first four weeks (the forecasts' minimum). */
export const MIN_HISTORY_DAYS = 28;

/** A bucket's usual egress, GB a day at 300 resources. */
const BUCKET_EGRESS_GB = 20;

/**
 * Plants every anomaly the window has room for, in place: multiplies the days' quantities of
 * the first matching stream, or adds the bucket's egress stream (billed under its resource id).
 * Draws from `rng` only for that new stream's noise.
 */
export function plantAnomalies(
  streams: UsageStream[],
  dates: string[],
  resources: EstateResource[],
  rng: Prng,
  scale: number,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const last = dates.length - 1;
  for (const p of PLANTED) {
    const from = last - p.daysBeforeEnd;
    const to = from + p.days - 1;
    if (from < MIN_HISTORY_DAYS || to > last) continue;
    let stream = streams.find((s) => s.export === p.exportKind && s.service === p.stream);
    if (!stream) continue;
    if (p.kind === "resource") {
      const bucket = bucketFor(resources, stream, dates.length);
      if (!bucket) continue;
      stream = bucketEgress(stream, bucket, dates, rng, scale);
      streams.push(stream);
    }
    let expected = 0;
    let actual = 0;
    for (let day = from; day <= to; day++) {
      const baseline = stream.quantities[day]!;
      stream.quantities[day] = round(baseline * p.multiplier, 6);
      expected += baseline * stream.unitPrice;
      actual += stream.quantities[day]! * stream.unitPrice;
    }
    anomalies.push({
      id: p.id,
      kind: p.kind,
      description: p.description,
      start: dates[from]!,
      end: dates[to]!,
      days: p.days,
      provider: stream.provider,
      billingAccountId: stream.billingAccountId,
      subAccountId: stream.subAccountId,
      currency: stream.currency,
      serviceName: serviceName(p.exportKind, p.stream),
      region: stream.region,
      usageType: usageType(p.exportKind, p.stream, stream.region),
      resourceId: stream.resourceId,
      stream: p.stream,
      multiplier: p.multiplier,
      expectedCost: money(expected),
      actualCost: money(actual),
    });
  }
  return anomalies;
}

/** The account's bucket that lives through the window, in a region other than the stream's where one is. */
function bucketFor(
  resources: EstateResource[],
  stream: UsageStream,
  days: number,
): EstateResource | undefined {
  const buckets = resources.filter(
    (r) =>
      r.kind === "bucket" &&
      r.export === stream.export &&
      r.subAccountId === stream.subAccountId &&
      r.startDay === 0 &&
      r.endDay === days - 1,
  );
  return buckets.find((b) => b.region !== stream.region) ?? buckets[0];
}

function bucketEgress(
  like: UsageStream,
  bucket: EstateResource,
  dates: string[],
  rng: Prng,
  scale: number,
): UsageStream {
  const base = BUCKET_EGRESS_GB * scale;
  return {
    ...like,
    region: bucket.region,
    resourceId: bucket.resourceId,
    baseQuantity: round(base, 6),
    growthPerDay: 0,
    weekendFactor: 1,
    quantities: dates.map(() => round(base * (1 + (rng.next() - 0.5) * NOISE), 6)),
  };
}

/** The service as each export names it (writers/*.ts): CUR's product name, Azure's meter category, … */
export function serviceName(exportKind: ExportKind, stream: UsageStream["service"]): string {
  const names: Record<ExportKind, Record<UsageStream["service"], string>> = {
    aws_cur2: { egress: "AWS Data Transfer", serverless: "AWS Lambda", analytics: "" },
    aws_cur_legacy: { egress: "AWS Data Transfer", serverless: "AWS Lambda", analytics: "" },
    azure_mca: { egress: "Bandwidth", serverless: "Functions", analytics: "" },
    gcp_bq: { egress: "Compute Engine", serverless: "", analytics: "BigQuery" },
    focus: { egress: "Networking", serverless: "Functions", analytics: "" },
  };
  return names[exportKind][stream];
}

/** The usage type as each export spells it: CUR's usage type, Azure's meter name, GCP's SKU, FOCUS's SkuMeter. */
export function usageType(exportKind: ExportKind, stream: UsageStream["service"], region: string): string {
  switch (exportKind) {
    case "aws_cur2":
    case "aws_cur_legacy": {
      const prefix = ({ "eu-west-1": "EU-", "us-west-2": "USW2-" } as Record<string, string>)[region] ?? "";
      return `${prefix}${stream === "egress" ? "DataTransfer-Out-Bytes" : "Request"}`;
    }
    case "gcp_bq":
      return stream === "analytics" ? "Analysis" : "Network Internet Egress from Americas to Americas";
    // Azure's meter name and OCI's SkuMeter are the stream's own name in the generated exports.
    case "azure_mca":
    case "focus":
      return stream;
  }
}
