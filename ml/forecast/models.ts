/**
 * The models a scope's forecast is chosen from, each giving a centre and a standard error per
 * day ahead on its own scale (log for a series that is positive throughout: costs vary by a
 * share of their level, and a log scale keeps the lower bound above zero).
 *
 * - Two fixed SARIMA orders with weekly seasonality: (0,1,1)(0,1,1)7 follows a trend (usage
 *   that grows), (0,0,0)(0,1,1)7 a level that moves in steps (VMs started and stopped).
 * - AutoARIMA with s = 7 searching the orders, where configured (it takes 0.1-0.3 s a fit).
 * - The fallback for short or broken series: each weekday's mean over the last (up to four)
 *   weeks, with an interval from the week-to-week spread.
 * - Seasonal naive (same weekday last week), the backtest's baseline.
 */
import { type ArimaOrder, fitPredict } from "./arima.ts";

export interface ModelForecast {
  model: string;
  /** centre and se are on the log scale: the day's cost is exp(centre). */
  log: boolean;
  center: number[];
  se: number[];
}

export interface Candidate {
  name: string;
  order: ArimaOrder;
}

export const TREND: Candidate = {
  name: "SARIMA(0,1,1)(0,1,1)7",
  order: { p: 0, d: 1, q: 1, P: 0, D: 1, Q: 1, s: 7 },
};
export const LEVEL: Candidate = {
  name: "SARIMA(0,0,0)(0,1,1)7",
  order: { p: 0, d: 0, q: 0, P: 0, D: 1, Q: 1, s: 7 },
};
/**
 * The search's upper limits: around the fixed orders (AR terms, seasonal AR) rather than the
 * package's own (5, 2, 5)(2, 1, 2), which take about five times as long for no better fit here.
 */
export const AUTO: Candidate = {
  name: "AutoARIMA(s=7)",
  order: { auto: true, p: 2, d: 1, q: 2, P: 1, D: 1, Q: 1, s: 7 },
};

export type Fitted = { ok: true; forecast: ModelForecast } | { ok: false; reason: string };

/** A SARIMA candidate fitted to a series (cleaned of outliers by the caller). */
export function fitCandidate(cleaned: number[], candidate: Candidate, horizon: number): Fitted {
  const log = cleaned.every((v) => v > 0);
  const fit = fitPredict(log ? cleaned.map(Math.log) : cleaned, candidate.order, horizon);
  if (!fit.ok) return { ok: false, reason: `${candidate.name}: ${fit.reason}` };
  const diverging = divergence(cleaned, log, fit.mean, fit.se);
  if (diverging) return { ok: false, reason: `${candidate.name}: ${diverging}` };
  return { ok: true, forecast: { model: candidate.name, log, center: fit.mean, se: fit.se } };
}

/**
 * Why a fit's forecast cannot be used, or null: a fit can converge to an explosive model (a
 * centre far outside anything seen), or, on a short series, give a sane centre with a standard
 * error whose 99.7% bound is a hundred times anything seen (on the log scale, e^40).
 */
export function divergence(cleaned: number[], log: boolean, mean: number[], se: number[]): string | null {
  const level = Math.max(...cleaned.map(Math.abs));
  const limit = log ? Math.log(level * 10) : level * 10;
  if (mean.some((m) => m > limit) || (!log && mean.some((m) => m < -level * 10))) return "diverging forecast";
  const wide = log ? Math.log(level * 100) : level * 100;
  if (mean.some((m, i) => m + 3 * se[i]! > wide)) return "diverging interval";
  return null;
}

/** Each weekday's mean over the last weeks (all days' mean under a week), on the raw scale. */
export function weeklyMean(values: number[], horizon: number): ModelForecast {
  const n = values.length;
  const weeks = Math.min(4, Math.floor(n / 7));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const center = Array.from({ length: horizon }, (_, h) => {
    if (!weeks) return mean(values);
    const same: number[] = [];
    for (let w = 1; w <= weeks; w++) same.push(values[n - 7 * w + (h % 7)]!);
    return mean(same);
  });
  // Week-to-week differences hold twice the day's variance; under two weeks, the days' spread.
  const diffs = values.slice(7).map((v, i) => v - values[i]!);
  const sigma =
    diffs.length >= 7
      ? Math.sqrt(mean(diffs.map((d) => d * d)) / 2)
      : Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));
  // Little history says little about the spread: never narrower than a tenth of the level.
  const floor = 0.1 * Math.abs(mean(values.slice(-7)));
  const base = Math.max(sigma, floor) * Math.sqrt(1 + 1 / Math.max(weeks, 1));
  return {
    model: "weekly mean (fallback)",
    log: false,
    center,
    se: center.map((_, h) => base * Math.sqrt(1 + Math.floor(h / 7))),
  };
}

/** Same weekday last week, repeated; the interval grows with the weeks ahead (Hyndman & Athanasopoulos 5.5). */
export function seasonalNaive(values: number[], horizon: number): ModelForecast {
  const n = values.length;
  const diffs = values.slice(7).map((v, i) => v - values[i]!);
  const sigma = diffs.length ? Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length) : 0;
  return {
    model: "seasonal naive",
    log: false,
    center: Array.from({ length: horizon }, (_, h) => values[n - 7 + (h % 7)] ?? values[n - 1] ?? 0),
    se: Array.from({ length: horizon }, (_, h) => sigma * Math.sqrt(1 + Math.floor(h / 7))),
  };
}

/** The day's expected cost h days after the origin (the median on a log scale). */
export function expected(f: ModelForecast, h: number): number {
  return f.log ? Math.exp(f.center[h]!) : f.center[h]!;
}

/** The central interval of `pct` percent h days ahead. */
export function bounds(f: ModelForecast, h: number, pct: number): [number, number] {
  const w = zOf(pct) * f.se[h]!;
  const c = f.center[h]!;
  return f.log ? [Math.exp(c - w), Math.exp(c + w)] : [c - w, c + w];
}

/** |z| of the actual against the forecast h days ahead, in standard errors. */
export function standardized(f: ModelForecast, h: number, actual: number): number {
  const x = f.log ? (actual > 0 ? Math.log(actual) : Number.NEGATIVE_INFINITY) : actual;
  const d = Math.abs(x - f.center[h]!);
  if (d < 1e-9) return 0;
  return d / Math.max(f.se[h]!, 1e-12);
}

/** The normal quantile for a central interval of pct percent (Acklam's approximation, 1e-9). */
export function zOf(pct: number): number {
  return normalQuantile(0.5 + pct / 200);
}

function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
