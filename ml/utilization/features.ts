/**
 * Features of one VM's hourly history before a cutoff, and the targets after it. A cutoff is an
 * hour index on the fleet's axis: the first hour the features may not see. Every feature reads
 * only hours [cutoff - lookback, cutoff); every target only [cutoff, cutoff + horizon).
 */

/** One measure of a VM (CPU or memory) on the fleet's hour axis; NaN where no sample was taken. */
export interface Series {
  /** Hourly average, percent. */
  avg: Float32Array;
  /** Hourly peak, percent. */
  max: Float32Array;
}

export interface Windows {
  /** Hours of history the features read. */
  lookbackHours: number;
  /** Hours predicted, and the naive's window ("last horizon's max"). */
  horizonHours: number;
  /** Hours since the epoch of index 0 (a UTC midnight), for hour of day and weekday. */
  axisStartHour: number;
}

export const FEATURE_NAMES = [
  "peak_lookback",
  "peak_naive",
  "peak_last_week",
  "peak_p99_lookback",
  "p95_lookback",
  "p95_naive",
  "mean_lookback",
  "mean_last_week",
  "peak_gap",
  "p95_gap",
  "trend_per_day",
  "peak_to_mean",
  "hot_hour_share",
  "hour_of_day_amplitude",
  "weekend_ratio",
  "days_since_peak",
  "peak_day_share",
  "observed_share",
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Where the naive predictions sit in a feature row: last horizon's peak and P95. */
export const NAIVE_PEAK = FEATURE_NAMES.indexOf("peak_naive");
export const NAIVE_P95 = FEATURE_NAMES.indexOf("p95_naive");

/** Fewer days of history than this and a VM's features say too little to predict from. */
export const MIN_DAYS_OBSERVED = 7;
/** A feature that cannot be computed (no weekend seen, no hour last week): trees need a number. */
const MISSING = -1;
const HOURS_PER_WEEK = 168;

/** Linear-interpolated quantile of sorted values (DuckDB's quantile_cont). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function present(s: Series, i: number): boolean {
  return Number.isFinite(s.avg[i]!) && Number.isFinite(s.max[i]!);
}

const byValue = (values: Float64Array, n: number) => values.subarray(0, n).sort();

/**
 * The feature row at `cutoff`, or null when the lookback holds under MIN_DAYS_OBSERVED days with
 * samples or the naive's window none (a VM stopped or too young to say anything about). One pass
 * over the lookback's hours, then three sorts: it runs for every VM at every cutoff.
 */
export function featuresAt(s: Series, cutoff: number, w: Windows): number[] | null {
  const from = Math.max(0, cutoff - w.lookbackHours);
  const naiveFrom = cutoff - w.horizonHours;
  const weekFrom = cutoff - HOURS_PER_WEEK;
  const span = cutoff - from;
  const avgs = new Float64Array(span);
  const maxs = new Float64Array(span);
  const naiveAvgs = new Float64Array(Math.min(span, w.horizonHours));
  const firstDay = Math.floor(from / 24);
  const dayCount = new Float64Array(Math.floor((cutoff - 1) / 24) - firstDay + 1);
  const daySum = new Float64Array(dayCount.length);
  const dayPeak = new Float64Array(dayCount.length);
  const hourSum = new Float64Array(24);
  const hourCount = new Float64Array(24);
  let n = 0;
  let naiveN = 0;
  let weekN = 0;
  let sum = 0;
  let weekSum = 0;
  let weekendSum = 0;
  let weekendN = 0;
  let peak = Number.NEGATIVE_INFINITY;
  let naivePeak = Number.NEGATIVE_INFINITY;
  let weekPeak = Number.NEGATIVE_INFINITY;
  let peakIndex = from;
  for (let i = from; i < cutoff; i++) {
    if (!present(s, i)) continue;
    const avg = s.avg[i]!;
    const max = s.max[i]!;
    avgs[n] = avg;
    maxs[n++] = max;
    sum += avg;
    if (max >= peak) {
      peak = max;
      peakIndex = i; // the latest hour at the peak
    }
    if (i >= naiveFrom) {
      naiveAvgs[naiveN++] = avg;
      naivePeak = Math.max(naivePeak, max);
    }
    if (i >= weekFrom) {
      weekN++;
      weekSum += avg;
      weekPeak = Math.max(weekPeak, max);
    }
    const absoluteHour = w.axisStartHour + i;
    hourSum[absoluteHour % 24]! += avg;
    hourCount[absoluteHour % 24]! += 1;
    const dayOfWeek = (Math.floor(absoluteHour / 24) + 4) % 7; // 1970-01-01 was a Thursday
    if (dayOfWeek === 0 || dayOfWeek === 6) {
      weekendSum += avg;
      weekendN++;
    }
    const d = Math.floor(i / 24) - firstDay;
    if (dayCount[d] === 0 || max > dayPeak[d]!) dayPeak[d] = max;
    dayCount[d]! += 1;
    daySum[d]! += avg;
  }
  let days = 0;
  let peakDays = 0;
  for (let d = 0; d < dayCount.length; d++) {
    if (!dayCount[d]) continue;
    days++;
    if (dayPeak[d]! >= 0.8 * peak) peakDays++;
  }
  if (days < MIN_DAYS_OBSERVED || naiveN === 0) return null;

  const sortedAvgs = byValue(avgs, n);
  const sortedMaxs = byValue(maxs, n);
  const naiveP95 = quantileSorted(byValue(naiveAvgs, naiveN), 0.95);
  const p95 = quantileSorted(sortedAvgs, 0.95);
  const mean = sum / n;
  const hotLine = 2 * Math.max(quantileSorted(sortedAvgs, 0.5), 0.5);
  let hot = 0;
  for (let k = n - 1; k >= 0 && sortedAvgs[k]! > hotLine; k--) hot++;
  let hourMax = Number.NEGATIVE_INFINITY;
  let hourMin = Number.POSITIVE_INFINITY;
  for (let h = 0; h < 24; h++) {
    if (!hourCount[h]) continue;
    const m = hourSum[h]! / hourCount[h]!;
    hourMax = Math.max(hourMax, m);
    hourMin = Math.min(hourMin, m);
  }
  const weekdayN = n - weekendN;

  return [
    peak,
    naivePeak,
    weekN ? weekPeak : MISSING,
    quantileSorted(sortedMaxs, 0.99),
    p95,
    naiveP95,
    mean,
    weekN ? weekSum / weekN : MISSING,
    peak - naivePeak,
    p95 - naiveP95,
    slope(daySum, dayCount),
    peak / Math.max(mean, 1),
    hot / n,
    (hourMax - hourMin) / Math.max(mean, 1),
    weekendN && weekdayN ? weekendSum / weekendN / Math.max((sum - weekendSum) / weekdayN, 0.1) : MISSING,
    (cutoff - peakIndex) / 24,
    peakDays / days,
    n / w.lookbackHours,
  ];
}

/** Least-squares slope of the daily means against the day, percent per day (0 under two days). */
function slope(daySum: Float64Array, dayCount: Float64Array): number {
  let k = 0;
  let mx = 0;
  let my = 0;
  for (let d = 0; d < dayCount.length; d++) {
    if (!dayCount[d]) continue;
    k++;
    mx += d;
    my += daySum[d]! / dayCount[d]!;
  }
  if (k < 2) return 0;
  mx /= k;
  my /= k;
  let sxy = 0;
  let sxx = 0;
  for (let d = 0; d < dayCount.length; d++) {
    if (!dayCount[d]) continue;
    sxy += (d - mx) * (daySum[d]! / dayCount[d]! - my);
    sxx += (d - mx) ** 2;
  }
  return sxx ? sxy / sxx : 0;
}

export interface Targets {
  /** P95 of the hourly averages over the horizon. */
  p95: number;
  /** Highest hourly peak over the horizon. */
  peak: number;
}

/** What happened over [cutoff, cutoff + horizon), or null when under half its days have samples. */
export function targetsAt(s: Series, cutoff: number, w: Windows): Targets | null {
  const end = cutoff + w.horizonHours;
  if (end > s.avg.length) return null;
  const avgs = new Float64Array(w.horizonHours);
  const days = new Set<number>();
  let n = 0;
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = cutoff; i < end; i++) {
    if (!present(s, i)) continue;
    avgs[n++] = s.avg[i]!;
    peak = Math.max(peak, s.max[i]!);
    days.add(Math.floor(i / 24));
  }
  if (days.size * 2 < w.horizonHours / 24) return null;
  return { p95: quantileSorted(byValue(avgs, n), 0.95), peak };
}
