/** Which days are anomalous (above the interval, both minimum impacts passed, rises only) and how they merge. */
import { describe, expect, it } from "vitest";
import { type DayPoint, detect, isAnomalous } from "../../../ml/anomalies/detect.ts";

const t = { minImpact: 50, minImpactPct: 20 };
const day = (date: string, actual: number, expected = 100, upper = 115): DayPoint => ({
  date,
  actual,
  expected,
  upper,
});

describe("an anomalous day", () => {
  it("leaves the interval and passes both minimums", () => {
    expect(isAnomalous(day("2026-06-01", 200), t)).toBe(true);
    // Inside the interval: no, however large the minimums allow.
    expect(isAnomalous(day("2026-06-01", 200, 100, 250), t)).toBe(false);
    // Outside, but under the money minimum (40 < 50) or the percent minimum (60 of 400 is 15%).
    expect(isAnomalous(day("2026-06-01", 140, 100, 110), t)).toBe(false);
    expect(isAnomalous(day("2026-06-01", 460, 400, 420), t)).toBe(false);
    // A drop is not an anomaly of spend.
    expect(isAnomalous(day("2026-06-01", 10, 100, 115), t)).toBe(false);
    // Spend where none was expected passes the percent minimum.
    expect(isAnomalous(day("2026-06-01", 80, 0, 5), t)).toBe(true);
  });
});

describe("anomalies", () => {
  it("merge consecutive anomalous days into one, with their summed costs and impact", () => {
    const points = [
      day("2026-06-01", 100),
      day("2026-06-02", 300),
      day("2026-06-03", 250),
      day("2026-06-04", 200),
      day("2026-06-05", 105),
      day("2026-06-06", 400),
      day("2026-06-07", 100),
    ];
    const found = detect(points, t);
    expect(found.map((a) => [a.start, a.end, a.days.length])).toEqual([
      ["2026-06-02", "2026-06-04", 3],
      ["2026-06-06", "2026-06-06", 1],
    ]);
    expect(found[0]).toMatchObject({ actual: 750, expected: 300, impact: 450, impactPct: 150 });
  });

  it("do not merge across a day missing from the series", () => {
    const found = detect([day("2026-06-01", 300), day("2026-06-03", 300)], t);
    expect(found.map((a) => a.start)).toEqual(["2026-06-01", "2026-06-03"]);
  });

  it("follow the configured minimums", () => {
    const points = [day("2026-06-01", 140, 100, 110)];
    expect(detect(points, t)).toHaveLength(0);
    expect(detect(points, { minImpact: 30, minImpactPct: 20 })).toHaveLength(1);
  });
});
