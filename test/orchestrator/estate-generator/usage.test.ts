import { describe, expect, it } from "vitest";
import { makeAccounts } from "../../../orchestrator/estate-generator/accounts.ts";
import { plantAnomalies } from "../../../orchestrator/estate-generator/anomalies.ts";
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
  it("multiply one stream's usage on one day, 20, 45 and 70 days before the end", () => {
    const before = streams();
    const after = streams();
    const anomalies = plantAnomalies(after, dates);
    expect(anomalies.map((a) => [a.date, a.service, a.multiplier])).toEqual([
      [dayString(end, -20), "egress", 6],
      [dayString(end, -45), "analytics", 8],
      [dayString(end, -70), "serverless", 5],
    ]);
    let changed = 0;
    after.forEach((s, i) => {
      s.quantities.forEach((q, day) => {
        const baseline = before[i]!.quantities[day]!;
        if (q === baseline) return;
        changed++;
        const a = anomalies.find((x) => x.date === dates[day] && x.subAccountId === s.subAccountId)!;
        expect(q).toBeCloseTo(baseline * a.multiplier, 5);
        expect(Number(a.expectedCost)).toBeCloseTo(q * s.unitPrice, 2);
        expect(Number(a.baselineCost)).toBeCloseTo(baseline * s.unitPrice, 2);
      });
    });
    expect(changed).toBe(3);
  });

  it("are left out where the window gives less than two weeks of history before them", () => {
    const short = dates.slice(-40);
    expect(plantAnomalies(streams(), short).map((a) => a.date)).toEqual([dayString(end, -20)]);
    // 45 days before the end is day 14 of a 60-day window: just enough history.
    expect(plantAnomalies(streams(), dates.slice(-60)).map((a) => a.date)).toEqual([
      dayString(end, -20),
      dayString(end, -45),
    ]);
  });
});
