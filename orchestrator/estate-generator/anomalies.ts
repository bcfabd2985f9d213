/**
 * Cost anomalies on known dates: one stream's usage multiplied for one day.
 * They are written into the stream itself, so the exports carry the spike and
 * truth.json carries the date, the baseline and the cost a detector should see.
 */
import type { ExportKind } from "./accounts.ts";
import type { Anomaly, UsageStream } from "./estate.ts";
import { money, round } from "./numbers.ts";

const PLANTED: {
  exportKind: ExportKind;
  service: UsageStream["service"];
  daysBeforeEnd: number;
  multiplier: number;
}[] = [
  { exportKind: "aws_cur2", service: "egress", daysBeforeEnd: 20, multiplier: 6 },
  { exportKind: "gcp_bq", service: "analytics", daysBeforeEnd: 45, multiplier: 8 },
  { exportKind: "azure_mca", service: "serverless", daysBeforeEnd: 70, multiplier: 5 },
];

/** A detector needs some history first: no anomaly in the window's first two weeks. */
export const MIN_HISTORY_DAYS = 14;

/** Multiplies the day's quantity in the first matching stream, in place; returns what it planted. */
export function plantAnomalies(streams: UsageStream[], dates: string[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  for (const p of PLANTED) {
    const day = dates.length - 1 - p.daysBeforeEnd;
    const stream = streams.find((s) => s.export === p.exportKind && s.service === p.service);
    if (!stream || day < MIN_HISTORY_DAYS) continue;
    const baseline = stream.quantities[day]!;
    stream.quantities[day] = round(baseline * p.multiplier, 6);
    anomalies.push({
      date: dates[day]!,
      provider: stream.provider,
      billingAccountId: stream.billingAccountId,
      subAccountId: stream.subAccountId,
      service: stream.service,
      multiplier: p.multiplier,
      baselineCost: money(baseline * stream.unitPrice),
      expectedCost: money(stream.quantities[day]! * stream.unitPrice),
      currency: stream.currency,
    });
  }
  return anomalies;
}
