/**
 * The rolling-origin backtest of one scope: every weekly origin with the backtest horizon
 * inside the data and enough history before it (the choice between models needs weeks of
 * errors) is scored over the days that followed, next to seasonal naive (same weekday last
 * week) from the same origin: MAPE, sMAPE and the share of days inside each interval.
 */
import { bounds, expected, type ModelForecast, seasonalNaive } from "./models.ts";
import type { OriginResult } from "./rolling.ts";
import type { Series } from "./series.ts";

export interface Scores {
  mape: number | null;
  smape: number | null;
  /** Percent of days inside the interval, by interval percent. */
  coverage: Record<number, number | null>;
}

export interface BacktestResult {
  series: Series;
  /** The model used at most origins (the choice is made at each one). */
  model: string;
  origins: number;
  points: number;
  scores: Scores;
  naive: Scores;
  note: string | null;
}

/** Half a cent: a flat series' interval is one value, and its actual must count as inside. */
const TOLERANCE = 0.005;

export function backtest(
  series: Series,
  results: OriginResult[],
  horizon: number,
  intervals: number[],
  minTrainDays: number,
): BacktestResult {
  const n = series.usage.length;
  const first = series.usage.findIndex((v) => v !== 0);
  const scored = results.filter(
    (r) => r.forecast && first >= 0 && r.origin + horizon <= n && r.origin - first >= minTrainDays,
  );
  const model = new Accumulator(intervals);
  const naive = new Accumulator(intervals);
  const picks = new Map<string, number>();
  for (const r of scored) {
    picks.set(r.model, (picks.get(r.model) ?? 0) + 1);
    const baseline = seasonalNaive(series.usage.slice(first, r.origin), horizon);
    for (let h = 0; h < horizon; h++) {
      const actual = series.usage[r.origin + h]!;
      model.add(r.forecast!, h, actual);
      naive.add(baseline, h, actual);
    }
  }
  const top = [...picks].sort((a, b) => b[1] - a[1]);
  const latest = results.at(-1);
  return {
    series,
    model: top.length
      ? top.map(([m, k]) => (top.length > 1 ? `${m} ×${k}` : m)).join(", ")
      : (latest?.model ?? "none"),
    origins: scored.length,
    points: model.points,
    scores: model.scores(),
    naive: naive.scores(),
    note: scored.length
      ? null
      : latest?.forecast
        ? `no backtest: under ${minTrainDays + horizon} days of usage history`
        : (latest?.note ?? null),
  };
}

class Accumulator {
  points = 0;
  private ape = 0;
  private apeCount = 0;
  private sape = 0;
  private sapeCount = 0;
  private readonly inside: Map<number, number>;

  constructor(private readonly intervals: number[]) {
    this.inside = new Map(intervals.map((p) => [p, 0]));
  }

  add(f: ModelForecast, h: number, actual: number): void {
    this.points++;
    const e = expected(f, h);
    if (actual !== 0) {
      this.ape += Math.abs(actual - e) / Math.abs(actual);
      this.apeCount++;
    }
    if (Math.abs(actual) + Math.abs(e) > 0) {
      this.sape += (2 * Math.abs(actual - e)) / (Math.abs(actual) + Math.abs(e));
      this.sapeCount++;
    }
    for (const p of this.intervals) {
      const [lo, hi] = bounds(f, h, p);
      if (actual >= lo - TOLERANCE && actual <= hi + TOLERANCE) this.inside.set(p, this.inside.get(p)! + 1);
    }
  }

  scores(): Scores {
    return {
      mape: this.apeCount ? (100 * this.ape) / this.apeCount : null,
      smape: this.sapeCount ? (100 * this.sape) / this.sapeCount : null,
      coverage: Object.fromEntries(
        this.intervals.map((p) => [p, this.points ? (100 * this.inside.get(p)!) / this.points : null]),
      ),
    };
  }
}
