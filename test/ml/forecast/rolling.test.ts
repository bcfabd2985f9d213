/**
 * The forecast on hand-made series: the weekly-seasonal SARIMA where the series allows it, the
 * simpler model where it does not (and the reason in the result), intervals that hold the truth
 * at their stated rate, outliers kept out of the fit, and the month-end projection.
 */
import { describe, expect, it } from "vitest";
import { mlSchema } from "../../../core/ml-settings.ts";
import { backtest } from "../../../ml/forecast/backtest.ts";
import { rollAll } from "../../../ml/forecast/index.ts";
import { currentMonth, monthEndBacktest } from "../../../ml/forecast/month-end.ts";
import { bounds, expected } from "../../../ml/forecast/models.ts";
import type { Series } from "../../../ml/forecast/series.ts";
import { datesOf, seriesOf, weekly } from "./series-fixture.ts";

const config = { ml: mlSchema.parse({}) };
const N = 140;
const dates = datesOf(N);

function roll(list: Series[]) {
  const out = rollAll(list, dates, config);
  return { ...out, final: (i: number) => out.results[i]!.at(-1)! };
}

describe("the forecast of a series with a weekly pattern and a trend", () => {
  const series = seriesOf(weekly(N, { seed: 3 }));
  const { results, final } = roll([series]);

  it("is a weekly-seasonal SARIMA, 90 days ahead from the day after the data", () => {
    expect(final(0).origin).toBe(N);
    expect(final(0).model).toMatch(/^SARIMA\(.*\)\(0,1,1\)7$/);
    expect(final(0).forecast!.center).toHaveLength(90);
    // Weekends stay below weekdays in the forecast, and the trend goes on.
    const f = final(0).forecast!;
    expect(expected(f, 5)).toBeLessThan(0.75 * expected(f, 4)); // day N is a Monday: h = 5 is a Saturday
    expect(expected(f, 7 * 12)).toBeGreaterThan(expected(f, 0));
  });

  it("beats seasonal naive in the rolling-origin backtest by far more than 20%", () => {
    const b = backtest(series, results[0]!, 30, [80, 95], 56);
    expect(b.origins).toBeGreaterThanOrEqual(7);
    expect(b.points).toBe(30 * b.origins);
    expect(b.scores.mape!).toBeLessThan(0.8 * b.naive.mape!);
  });
});

describe("prediction intervals", () => {
  it("hold the truth at about their stated rate over many series", () => {
    const list = Array.from({ length: 12 }, (_, k) =>
      seriesOf(
        weekly(N, { seed: 100 + k, level: 50 + 40 * k, noise: 0.01 + 0.005 * k, growth: 0.001 * (k % 4) }),
        {
          scope: `test/Service ${k}`,
        },
      ),
    );
    const { results } = roll(list);
    let points = 0;
    const inside = { 80: 0, 95: 0 };
    list.forEach((s, i) => {
      const b = backtest(s, results[i]!, 30, [80, 95], 56);
      points += b.points;
      inside[80] += (b.scores.coverage[80]! / 100) * b.points;
      inside[95] += (b.scores.coverage[95]! / 100) * b.points;
    });
    expect(points).toBeGreaterThan(2000);
    expect((100 * inside[95]) / points).toBeGreaterThanOrEqual(90);
    expect((100 * inside[95]) / points).toBeLessThanOrEqual(98.5);
    // The floor from every scope's errors widens the quietest series' intervals: the 80% one errs wide.
    expect((100 * inside[80]) / points).toBeGreaterThanOrEqual(75);
    expect((100 * inside[80]) / points).toBeLessThanOrEqual(93);
  });

  it("order as they should: the 95% one holds the 80% one, which holds the expected cost", () => {
    const { final } = roll([seriesOf(weekly(N, { seed: 9 }))]);
    const f = final(0).forecast!;
    for (let h = 0; h < 90; h++) {
      const [lo80, hi80] = bounds(f, h, 80);
      const [lo95, hi95] = bounds(f, h, 95);
      expect(lo95).toBeLessThanOrEqual(lo80);
      expect(lo80).toBeLessThanOrEqual(expected(f, h));
      expect(hi80).toBeGreaterThanOrEqual(expected(f, h));
      expect(hi95).toBeGreaterThanOrEqual(hi80);
      expect(lo95).toBeGreaterThan(0);
    }
  });
});

describe("short and broken series fall back to the weekly mean and say why", () => {
  it("a service ten days old", () => {
    const usage = weekly(N, { seed: 4 }).map((v, t) => (t < N - 10 ? 0 : v));
    const { final } = roll([seriesOf(usage)]);
    expect(final(0).model).toBe("weekly mean (fallback)");
    expect(final(0).note).toBe(`new: first usage cost on ${dates[N - 10]}, 10 days of history (under 28)`);
    // Its level is the days it has had, not zero: with one full week, each weekday is last week's.
    for (let h = 0; h < 14; h++)
      expect(expected(final(0).forecast!, h)).toBeCloseTo(usage[N - 7 + (h % 7)]!, 6);
  });

  it("a series with gaps", () => {
    const usage = weekly(N, { seed: 5 });
    for (const t of [60, 61, 100]) usage[t] = 0;
    const { final } = roll([seriesOf(usage)]);
    expect(final(0).model).toBe("weekly mean (fallback)");
    expect(final(0).note).toBe(`gaps: 3 of ${N} days without usage cost`);
  });

  it("a scope with a one-off purchase and nothing else", () => {
    const oneOff = dates.map((_, t) => (t === 100 ? 12_000 : 0));
    const { results, final } = roll([
      seriesOf(
        dates.map(() => 0),
        { oneOff },
      ),
    ]);
    expect(final(0)).toMatchObject({ model: "none", forecast: null });
    expect(final(0).note).toBe("only one-off charges (1 day): nothing recurring to forecast");
    expect(
      backtest(
        seriesOf(
          dates.map(() => 0),
          { oneOff },
        ),
        results[0]!,
        30,
        [95],
        56,
      ).note,
    ).toMatch(/only one-off charges/);
  });

  it("while a purchase beside usage is left out of the model: the forecast is the same without it", () => {
    const usage = weekly(N, { seed: 6 });
    const oneOff = dates.map((_, t) => (t === 100 ? 12_000 : 0));
    const { final } = roll([seriesOf(usage, { oneOff }), seriesOf(usage, { scope: "test/Without" })]);
    expect(final(0).model).toMatch(/^SARIMA/);
    expect(final(0).forecast!.center).toEqual(final(1).forecast!.center);
  });

  it("a series shorter than four weeks in all", () => {
    const short = datesOf(20);
    const { results } = rollAll([seriesOf(weekly(20, { seed: 7 }))], short, config);
    expect(results[0]!.at(-1)!.note).toBe("short: 20 days of history (under 28)");
  });
});

describe("an anomaly in the history", () => {
  it("is replaced before fitting, so it does not echo on the same weekday a week later", () => {
    const usage = weekly(N, { seed: 8, growth: 0 });
    const spiked = [...usage];
    spiked[N - 3] = usage[N - 3]! * 8;
    const { final } = roll([seriesOf(usage), seriesOf(spiked, { scope: "test/Spiked" })]);
    // Day N - 3 + 7 is h = 4 of the final forecast.
    expect(expected(final(1).forecast!, 4)).toBeLessThan(1.1 * expected(final(0).forecast!, 4));
    expect(final(1).note).toMatch(/1 outlier day replaced before fitting/);
  });
});

describe("the month-end projection", () => {
  const usage = weekly(N, { seed: 11 });
  const series = seriesOf(usage);
  const { rollers, results, pool, final } = roll([series]);

  it("adds the forecast of the month's remaining days to its cost so far", () => {
    // The data ends on 2026-07-19: July has 19 days of actuals and 12 to forecast.
    expect(dates.at(-1)).toBe("2026-07-19");
    const m = currentMonth(series, dates, final(0), [80, 95]);
    expect(m).toMatchObject({ month: "2026-07", asOf: "2026-07-19", daysInMonth: 31, daysActual: 19 });
    expect(m.actualToDate).toBeCloseTo(
      usage.slice(N - 19).reduce((a, b) => a + b, 0),
      6,
    );
    let rest = 0;
    for (let h = 0; h < 12; h++) rest += expected(final(0).forecast!, h);
    expect(m.forecastRest).toBeCloseTo(rest, 6);
    expect(m.projected).toBeCloseTo(m.actualToDate + rest, 6);
    expect(m.range[95]![0]).toBeLessThan(m.projected);
    expect(m.range[95]![1]).toBeGreaterThan(m.projected);
  });

  it("from the 15th of a past month lands within 5% of what the month cost", () => {
    const months = monthEndBacktest(rollers[0]!, dates, [95], 56, pool.floors(rollers));
    expect(months.map((m) => m.month)).toEqual(["2026-05", "2026-06"]);
    for (const m of months) {
      expect(m.asOf).toBe(`${m.month}-14`);
      expect(Math.abs(m.errorPct!)).toBeLessThan(5);
    }
    expect(results[0]!.length).toBeGreaterThan(10);
  });
});
