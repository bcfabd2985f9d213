import { describe, expect, it } from "vitest";
import { makeAccounts } from "../../../orchestrator/estate-generator/accounts.ts";
import { MIN_HISTORY_DAYS, plantAnomalies } from "../../../orchestrator/estate-generator/anomalies.ts";
import type { EstateResource, UsageStream } from "../../../orchestrator/estate-generator/estate.ts";
import { dayString } from "../../../orchestrator/estate-generator/numbers.ts";
import { Prng } from "../../../orchestrator/estate-generator/prng.ts";
import { makeStreams, NOISE } from "../../../orchestrator/estate-generator/usage.ts";

const days = 90;
const end = "2026-06-30";
const dates = Array.from({ length: days }, (_, i) => dayString(end, i - (days - 1)));
const options = { seed: 11, resources: 600, days, endDate: end };

function streams() {
  const rng = new Prng(options.seed);
  return makeStreams(rng, makeAccounts(rng), options, dates);
}

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());

describe("usage streams", () => {
  it("follow linear growth and the weekend dip, within the day-to-day noise", () => {
    for (const s of streams()) {
      expect(s.quantities).toHaveLength(days);
      s.quantities.forEach((q, day) => {
        const trend =
          s.baseQuantity * (1 + s.growthPerDay * day) * (isWeekend(dates[day]!) ? s.weekendFactor : 1);
        // 1e-4 absorbs the rounding of the quantity and the base to 6 places.
        expect(Math.abs(q / trend - 1)).toBeLessThanOrEqual(NOISE / 2 + 1e-4);
      });
    }
  });

  it("dip on every weekend below the Friday before, and end higher than they start", () => {
    for (const s of streams()) {
      dates.forEach((date, day) => {
        if (day > 0 && new Date(`${date}T00:00:00Z`).getUTCDay() === 6) {
          expect(s.quantities[day]!).toBeLessThan(s.quantities[day - 1]!);
        }
      });
      // 90 days at 0.2-0.6% a day: the last week is 18-54% above the first, well beyond noise.
      const week = (from: number) => s.quantities.slice(from, from + 7).reduce((a, b) => a + b, 0);
      expect(week(days - 7) / week(0)).toBeGreaterThan(1 + s.growthPerDay * (days - 7) - 0.05);
      expect(s.growthPerDay).toBeGreaterThanOrEqual(0.002);
      expect(s.weekendFactor).toBeLessThanOrEqual(0.75);
    }
  });

  it("scale with the estate, and dev sub-accounts carry 30% of prod's volume", () => {
    const byKey = new Map(streams().map((s) => [`${s.export}/${s.service}/${s.subAccountName}`, s]));
    const small = makeStreams(new Prng(1), makeAccounts(new Prng(1)), { ...options, resources: 300 }, dates);
    const egress = small.find((s) => s.export === "aws_cur2" && s.service === "egress")!;
    expect(egress.baseQuantity).toBe(400);
    expect(byKey.get("aws_cur2/egress/acme-prod")!.baseQuantity).toBe(800);
    expect(byKey.get("aws_cur2/egress/acme-dev")!.baseQuantity).toBe(240);
    expect(byKey.get("gcp_bq/analytics/Acme Analytics Prod")!.unitPrice).toBe(6.25);
  });
});

describe("anomalies", () => {
  const long = 120;
  const longDates = Array.from({ length: long }, (_, i) => dayString(end, i - (long - 1)));
  const longOptions = { ...options, days: long };
  const scale = options.resources / 300;
  function longStreams() {
    const rng = new Prng(options.seed);
    return makeStreams(rng, makeAccounts(rng), longOptions, longDates);
  }
  /** A bucket of the AWS payer account in eu-west-1 that lives through the window. */
  function bucket(streams: UsageStream[], days: number): EstateResource {
    const payer = streams.find((s) => s.export === "aws_cur2" && s.service === "egress")!;
    return {
      export: "aws_cur2",
      kind: "bucket",
      subAccountId: payer.subAccountId,
      region: "eu-west-1",
      resourceId: "acme-prod-data-bucket-1a2b3c",
      startDay: 0,
      endDay: days - 1,
    } as EstateResource;
  }

  it("are spikes, increases over days and one bucket's egress, across providers and both currencies", () => {
    const before = longStreams();
    const after = longStreams();
    const anomalies = plantAnomalies(after, longDates, [bucket(after, long)], new Prng(1), scale);
    expect(anomalies.map((a) => [a.id, a.kind, a.days])).toEqual([
      ["A1", "spike", 1],
      ["A2", "spike", 1],
      ["A3", "spike", 1],
      ["A4", "sustained", 4],
      ["A5", "resource", 3],
      ["A6", "sustained", 2],
    ]);
    expect(new Set(anomalies.map((a) => a.provider))).toEqual(new Set(["aws", "azure", "gcp", "oci"]));
    expect(new Set(anomalies.map((a) => a.currency))).toEqual(new Set(["EUR", "USD"]));
    for (const a of anomalies) {
      expect(dayString(a.start, a.days - 1)).toBe(a.end);
      expect(longDates.indexOf(a.start)).toBeGreaterThanOrEqual(MIN_HISTORY_DAYS);
      expect(Number(a.actualCost)).toBeGreaterThan(Number(a.expectedCost) * 2);
    }
    // The bucket's egress is a stream of its own, billed to the bucket in the bucket's region.
    expect(after).toHaveLength(before.length + 1);
    const added = after.at(-1)!;
    const a5 = anomalies.find((a) => a.kind === "resource")!;
    expect(added).toMatchObject({ resourceId: "acme-prod-data-bucket-1a2b3c", region: "eu-west-1" });
    expect(a5).toMatchObject({
      resourceId: "acme-prod-data-bucket-1a2b3c",
      region: "eu-west-1",
      serviceName: "AWS Data Transfer",
      usageType: "EU-DataTransfer-Out-Bytes",
    });
    // Every other stream changes on its anomaly's days only, by its multiplier.
    let changed = 0;
    before.forEach((s, i) => {
      after[i]!.quantities.forEach((q, day) => {
        const baseline = s.quantities[day]!;
        if (q === baseline) return;
        changed++;
        const a = anomalies.find(
          (x) =>
            x.subAccountId === s.subAccountId &&
            x.stream === s.service &&
            x.resourceId === null &&
            longDates[day]! >= x.start &&
            longDates[day]! <= x.end,
        )!;
        expect(q).toBeCloseTo(baseline * a.multiplier, 5);
      });
    });
    expect(changed).toBe(1 + 1 + 1 + 4 + 2);
    const a4 = anomalies.find((a) => a.id === "A4")!;
    const stream = before.find((s) => s.subAccountId === a4.subAccountId && s.service === "egress")!;
    const from = longDates.indexOf(a4.start);
    const expected = stream.quantities.slice(from, from + 4).reduce((x, q) => x + q * stream.unitPrice, 0);
    expect(Number(a4.expectedCost)).toBeCloseTo(expected, 2);
    expect(Number(a4.actualCost)).toBeCloseTo(expected * 3, 1);
    expect(a4).toMatchObject({ serviceName: "Bandwidth", usageType: "egress", currency: "EUR" });
  });

  it("are left out where the window gives less than four weeks of history before them", () => {
    expect(plantAnomalies(streams(), dates.slice(-60), [], new Prng(1), scale).map((a) => a.id)).toEqual([
      "A1",
    ]);
    // 90 days: A3 and A6 would start before day 28; A5 needs a bucket, and there is none here.
    expect(plantAnomalies(streams(), dates, [], new Prng(1), scale).map((a) => a.id)).toEqual([
      "A1",
      "A2",
      "A4",
    ]);
  });
});
