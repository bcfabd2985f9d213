/**
 * Month-end projections: the usage cost of the month so far plus the forecast for its
 * remaining days. The current month is the month of the last day of data (complete when
 * that day ends it). The backtest projects each earlier complete month from its 15th (data
 * to the 14th) with the model that would have been chosen then, against what the month cost.
 * The interval adds the days' bounds: a forecast's errors on consecutive days move together,
 * so they do not cancel as independent errors would.
 */
import { bounds, expected } from "./models.ts";
import type { Floor, OriginResult, ScopeRoller } from "./rolling.ts";
import type { Series } from "./series.ts";

export interface MonthEnd {
  series: Series;
  month: string;
  /** The last day of actual cost the projection uses. */
  asOf: string;
  daysInMonth: number;
  daysActual: number;
  actualToDate: number;
  forecastRest: number;
  projected: number;
  /** Projected range by interval percent. */
  range: Record<number, [number, number]>;
  oneOffToDate: number;
  model: string;
  note: string | null;
  /** Backtests only: what the month cost, and the projection's error in percent of it. */
  actualMonth?: number;
  errorPct?: number | null;
}

/** Index of the first and last day of the month `day` falls in (may lie outside the window). */
function monthBounds(dates: string[], day: number): { first: number; last: number; days: number } {
  const [y, m] = dates[day]!.split("-").map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const dom = Number(dates[day]!.slice(8, 10));
  return { first: day - dom + 1, last: day - dom + days, days };
}

function project(series: Series, dates: string[], result: OriginResult, intervals: number[]): MonthEnd {
  const o = result.origin;
  const asOfIndex = o - 1;
  const { first, last, days } = monthBounds(dates, asOfIndex);
  const sum = (xs: number[], from: number, to: number) => {
    let s = 0;
    for (let i = Math.max(from, 0); i <= to; i++) s += xs[i] ?? 0;
    return s;
  };
  const actualToDate = sum(series.usage, first, asOfIndex);
  let rest = 0;
  const range = Object.fromEntries(
    intervals.map((p) => [p, [actualToDate, actualToDate] as [number, number]]),
  );
  for (let h = 0; o + h <= last; h++) {
    if (!result.forecast) break;
    rest += expected(result.forecast, h);
    for (const p of intervals) {
      const [lo, hi] = bounds(result.forecast, h, p);
      range[p]![0] += Math.max(lo, 0);
      range[p]![1] += hi;
    }
  }
  const notes = [
    first < 0 ? `the data starts on ${dates[0]}: the month's earlier days are not in it` : null,
    o > last ? "month complete" : null,
    result.note,
  ].filter(Boolean);
  return {
    series,
    month: dates[asOfIndex]!.slice(0, 7),
    asOf: dates[asOfIndex]!,
    daysInMonth: days,
    daysActual: asOfIndex - Math.max(first, 0) + 1,
    actualToDate,
    forecastRest: rest,
    projected: actualToDate + rest,
    range,
    oneOffToDate: sum(series.oneOff, first, asOfIndex),
    model: result.model,
    note: notes.join("; ") || null,
  };
}

/** The current month's projection from the final forecast. */
export function currentMonth(
  series: Series,
  dates: string[],
  final: OriginResult,
  intervals: number[],
): MonthEnd {
  return project(series, dates, final, intervals);
}

/**
 * Each complete month in the window projected from its 15th, where the 15th has `minTrainDays`
 * of usage history before it.
 */
export function monthEndBacktest(
  roller: ScopeRoller,
  dates: string[],
  intervals: number[],
  minTrainDays: number,
  floorAt: (origin: number) => Floor,
): MonthEnd[] {
  const series = roller.series;
  const first = series.usage.findIndex((v) => v !== 0);
  if (first < 0) return [];
  const out: MonthEnd[] = [];
  for (let i = 0; i < dates.length; i++) {
    if (!dates[i]!.endsWith("-15")) continue;
    const { first: start, last } = monthBounds(dates, i);
    if (start < 0 || last >= dates.length || i - first < minTrainDays) continue;
    const result = roller.at(i, last - i + 1, floorAt(i));
    const projection = project(series, dates, result, intervals);
    let actualMonth = 0;
    for (let d = start; d <= last; d++) actualMonth += series.usage[d]!;
    out.push({
      ...projection,
      actualMonth,
      errorPct: actualMonth ? (100 * (projection.projected - actualMonth)) / actualMonth : null,
    });
  }
  return out;
}
