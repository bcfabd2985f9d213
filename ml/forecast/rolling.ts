/**
 * Rolling-origin forecasting of one scope. Every seven days (aligned on the last day), each
 * candidate model is fitted to the history before that origin and predicts ahead. At an
 * origin the forecast is the candidate with the lowest error over the previous eight weeks'
 * predictions (days already seen), and its interval is widened by how far those predictions'
 * errors ran beyond their standard errors, and floored by every scope's past errors (so a series
 * whose cost moves in steps gets the interval such series show, not the one a smooth model
 * assumes). Only the past decides at each origin, so the same predictions serve as an honest
 * backtest and as the expected cost of every past day for the anomaly detector.
 */
import { clean, type Diagnosis, diagnose } from "./clean.ts";
import {
  AUTO,
  divergence,
  type Candidate,
  expected,
  type Fitted,
  fitCandidate,
  LEVEL,
  type ModelForecast,
  standardized,
  TREND,
  weeklyMean,
  zOf,
} from "./models.ts";
import type { Series } from "./series.ts";

export interface RollSettings {
  minHistoryDays: number;
  /** AutoARIMA is a candidate too (slow: only for the scope types configured). */
  auto: boolean;
}

export interface OriginResult {
  /** Index of the first day predicted (the training data ends the day before). */
  origin: number;
  /** Its standard errors are the interval's: calibrated and floored (see ScopeRoller.forecast). */
  forecast: ModelForecast | null;
  model: string;
  note: string | null;
}

/** The smallest relative 95% half-width, by day ahead, that the errors of every scope so far call for. */
export type Floor = (h: number) => number;
export const NO_FLOOR: Floor = () => 0;

/** The choice between candidates looks at the errors of this many weeks before the origin. */
const SELECTION_WEEKS = 8;
const MIN_SELECTION_ERRORS = 7;
const MIN_CALIBRATION_ERRORS = 14;
/** Training uses at most the last year; origins cover at most the last 26 weeks. */
export const MAX_TRAIN_DAYS = 364;
export const ROLLING_DAYS = 182;

/** Weekly origins ending at n (the final forecast's), oldest first, each with a week of data before it. */
export function weeklyOrigins(n: number): number[] {
  const origins: number[] = [];
  for (let o = n; o >= 7 && o >= n - ROLLING_DAYS; o -= 7) origins.unshift(o);
  return origins;
}

interface Ranked {
  candidate: Candidate;
  mape: number | null;
  z: number[];
}

interface Prepared {
  diagnosis: Diagnosis;
  /** The training window, its first index, and (for a model) its cleaned values. */
  train: number[];
  from: number;
  cleaned: number[];
  /** Days (indexes into the series) judged outliers as of this origin. */
  outliers: Set<number>;
}

export class ScopeRoller {
  /** Each candidate's forecasts by origin, kept for the choices at later origins. */
  private readonly kept = new Map<string, Map<number, ModelForecast>>();
  private readonly prepared = new Map<number, Prepared>();
  readonly candidates: Candidate[];

  constructor(
    readonly series: Series,
    private readonly dates: string[],
    private readonly settings: RollSettings,
  ) {
    this.candidates = [TREND, LEVEL, ...(settings.auto ? [AUTO] : [])];
  }

  /** At a weekly origin: every candidate is fitted (and kept), the best by past error is returned. */
  weekly(origin: number, horizon: number, floor: Floor = NO_FLOOR): OriginResult {
    return this.forecast(origin, horizon, true, floor);
  }

  /** At another origin (a month-end backtest): only the candidate chosen is fitted. */
  at(origin: number, horizon: number, floor: Floor = NO_FLOOR): OriginResult {
    return this.forecast(origin, horizon, false, floor);
  }

  /** The days before `origin` that look like anomalies from there (left out of every error statistic). */
  outliersAt(origin: number): Set<number> {
    return this.prepare(origin).outliers;
  }

  private prepare(origin: number): Prepared {
    let p = this.prepared.get(origin);
    if (p) return p;
    const { usage, oneOff } = this.series;
    const diagnosis = diagnose(usage, oneOff, origin, this.dates, this.settings.minHistoryDays);
    const from = diagnosis.kind === "none" ? origin : Math.max(diagnosis.first, origin - MAX_TRAIN_DAYS);
    const train = usage.slice(from, origin);
    const cleaned = diagnosis.kind === "model" ? clean(train) : { values: train, outliers: [] };
    p = {
      diagnosis,
      train,
      from,
      cleaned: cleaned.values,
      outliers: new Set(cleaned.outliers.map((i) => i + from)),
    };
    this.prepared.set(origin, p);
    return p;
  }

  /**
   * The interval's standard error is the chosen model's, times the calibration from its own past
   * errors, and never below the floor from every scope's past errors: a series that has been flat
   * so far (VMs billed 24 hours a day) can still step when a VM starts or stops, as others did.
   */
  private forecast(origin: number, horizon: number, keep: boolean, floor: Floor): OriginResult {
    const { diagnosis, train, cleaned, outliers } = this.prepare(origin);
    if (diagnosis.kind === "none") return { origin, forecast: null, model: "none", note: diagnosis.reason };
    if (diagnosis.kind === "fallback") return this.fallback(origin, train, horizon, diagnosis.reason);
    const ranked = this.rank(origin, outliers);
    const fits = new Map<string, Fitted>();
    if (keep)
      for (const c of this.candidates) {
        const fit = fitCandidate(cleaned, c, horizon);
        fits.set(c.name, fit);
        if (fit.ok) this.keep(c.name, origin, fit.forecast);
      }
    const failures: string[] = [];
    for (const r of ranked) {
      const fit = fits.get(r.candidate.name) ?? fitCandidate(cleaned, r.candidate, horizon);
      if (!fit.ok) {
        failures.push(fit.reason);
        continue;
      }
      const scale = calibration(r.z);
      const f = fit.forecast;
      const z95 = zOf(95);
      let floored = 0;
      const se = f.se.map((se, h) => {
        const min = (f.log ? floor(h) : Math.abs(f.center[h]!) * floor(h)) / z95;
        if (min > se * scale) floored++;
        return Math.max(se * scale, min);
      });
      // Calibrated on a scope whose past errors were huge, an interval can still explode.
      const wide = divergence(cleaned, f.log, f.center, se);
      if (wide) {
        failures.push(`${f.model}: ${wide} once calibrated (×${scale.toFixed(1)})`);
        continue;
      }
      const notes = [
        r.mape !== null
          ? `chosen on ${SELECTION_WEEKS} weeks' errors (MAPE ${(100 * r.mape).toFixed(1)}%)`
          : null,
        scale > 1 ? `interval ×${scale.toFixed(2)} from its past errors` : null,
        floored ? `interval widened to all scopes' past errors on ${floored} of ${se.length} days` : null,
        outliers.size
          ? `${outliers.size} outlier day${outliers.size > 1 ? "s" : ""} replaced before fitting`
          : null,
        ...failures,
      ].filter(Boolean);
      return { origin, forecast: { ...f, se }, model: f.model, note: notes.join("; ") || null };
    }
    return this.fallback(origin, train, horizon, `every SARIMA fit failed (${failures.join("; ")})`);
  }

  private fallback(origin: number, train: number[], horizon: number, reason: string): OriginResult {
    const forecast = weeklyMean(train, horizon);
    return { origin, forecast, model: forecast.model, note: reason };
  }

  private keep(name: string, origin: number, forecast: ModelForecast): void {
    const byOrigin = this.kept.get(name) ?? new Map<number, ModelForecast>();
    this.kept.set(name, byOrigin);
    byOrigin.set(origin, forecast);
  }

  /**
   * Candidates by their error over the days seen before `origin` (those without enough errors
   * last, in order). Outlier days are left out: an anomaly says nothing about which model is right
   * or how wide its interval should be.
   */
  private rank(origin: number, outliers: Set<number>): Ranked[] {
    const usage = this.series.usage;
    const ranked = this.candidates.map((candidate, order) => {
      let ape = 0;
      let count = 0;
      const z: number[] = [];
      for (const [o, f] of this.kept.get(candidate.name) ?? []) {
        if (o >= origin || o < origin - 7 * SELECTION_WEEKS) continue;
        for (let h = 0; h < f.center.length && o + h < origin; h++) {
          if (outliers.has(o + h)) continue;
          const actual = usage[o + h]!;
          z.push(standardized(f, h, actual));
          if (actual === 0) continue;
          ape += Math.abs(actual - expected(f, h)) / Math.abs(actual);
          count++;
        }
      }
      return { candidate, mape: count >= MIN_SELECTION_ERRORS ? ape / count : null, z, order };
    });
    return ranked.sort((a, b) =>
      a.mape !== null && b.mape !== null
        ? a.mape - b.mape || a.order - b.order
        : a.mape !== null
          ? -1
          : b.mape !== null
            ? 1
            : a.order - b.order,
    );
  }
}

/** How much wider than the model's own the 95% interval must be for 95% of past errors to fit in it (at least 1). */
export function calibration(z: number[]): number {
  if (z.length < MIN_CALIBRATION_ERRORS) return 1;
  const sorted = [...z].sort((a, b) => a - b);
  const q = sorted[Math.floor(0.95 * (sorted.length - 1))]!;
  return Math.max(1, Number.isFinite(q) ? q / zOf(95) : 1);
}

/**
 * Relative errors (|log actual/expected|) of every scope's forecasts, by the day they are about,
 * pooled to floor the intervals: at an origin only days already past count.
 */
export class ErrorPool {
  private readonly entries: { scope: number; day: number; bucket: number; error: number }[] = [];

  /** Five buckets of days ahead: weeks one to four, then the fifth week on. */
  static bucket(h: number): number {
    return Math.min(Math.floor(h / 7), 4);
  }

  add(scope: number, result: OriginResult, usage: number[]): void {
    const f = result.forecast;
    if (!f || result.model.includes("fallback")) return;
    for (let h = 0; h < f.center.length && result.origin + h < usage.length; h++) {
      const actual = usage[result.origin + h]!;
      const e = expected(f, h);
      if (actual > 0 && e > 0)
        this.entries.push({
          scope,
          day: result.origin + h,
          bucket: ErrorPool.bucket(h),
          error: Math.abs(Math.log(actual / e)),
        });
    }
  }

  /** floorAt with each roller's outliers as seen from the origin. */
  floors(rollers: ScopeRoller[]): (origin: number) => Floor {
    return (origin) => this.floorAt(origin, (i) => rollers[i]!.outliersAt(origin));
  }

  /**
   * The 95th percentile per bucket of the errors on days before `origin` (none under 100 errors),
   * leaving out each scope's outlier days as seen from that origin.
   */
  floorAt(origin: number, outliers: (scope: number) => Set<number>): Floor {
    const byBucket: number[][] = [[], [], [], [], []];
    for (const e of this.entries)
      if (e.day < origin && !outliers(e.scope).has(e.day)) byBucket[e.bucket]!.push(e.error);
    const q = byBucket.map((xs) => {
      if (xs.length < MIN_POOLED_ERRORS) return 0;
      xs.sort((a, b) => a - b);
      return xs[Math.floor(0.95 * (xs.length - 1))]!;
    });
    // Beyond the backtest's horizon no errors exist yet: the last bucket's, growing as errors of a random walk do.
    return (h) => q[ErrorPool.bucket(h)]! * (h >= 35 ? Math.sqrt((h + 1) / 35) : 1);
  }
}

const MIN_POOLED_ERRORS = 100;
