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

/** Peak and P95 of the hours in [from, to) that have a sample, with the days that have one. */
function windowStats(s: Series, from: number, to: number) {
  const avgs: number[] = [];
  let peak = Number.NEGATIVE_INFINITY;
  const days = new Set<number>();
  for (let i = Math.max(0, from); i < to; i++) {
    if (!present(s, i)) continue;
    avgs.push(s.avg[i]!);
    if (s.max[i]! > peak) peak = s.max[i]!;
    days.add(Math.floor(i / 24));
  }
  avgs.sort((a, b) => a - b);
  return { hours: avgs.length, days: days.size, peak, p95: quantileSorted(avgs, 0.95), avgs };
}

/**
 * The feature row at `cutoff`, or null when the lookback holds under MIN_DAYS_OBSERVED days with
 * samples or the naive's window none (a VM stopped or too young to say anything about).
 */
export function featuresAt(s: Series, cutoff: number, w: Windows): number[] | null {
  const from = Math.max(0, cutoff - w.lookbackHours);
  const all = windowStats(s, from, cutoff);
  const naive = windowStats(s, cutoff - w.horizonHours, cutoff);
  if (all.days < MIN_DAYS_OBSERVED || naive.hours === 0) return null;
  const week = windowStats(s, cutoff - HOURS_PER_WEEK, cutoff);

  let sum = 0;
  let weekSum = 0;
  let peakIndex = from;
  const hourSum = new Float64Array(24);
  const hourCount = new Float64Array(24);
  const weekend = [0, 0];
  const weekday = [0, 0];
  const dayMean = new Map<number, [number, number]>();
  const dayPeak = new Map<number, number>();
  for (let i = from; i < cutoff; i++) {
    if (!present(s, i)) continue;
    const avg = s.avg[i]!;
    const max = s.max[i]!;
    sum += avg;
    if (i >= cutoff - HOURS_PER_WEEK) weekSum += avg;
    if (max >= all.peak) peakIndex = i; // the latest hour at the peak
    const absoluteHour = w.axisStartHour + i;
    hourSum[absoluteHour % 24]! += avg;
    hourCount[absoluteHour % 24]! += 1;
    const dayOfWeek = (Math.floor(absoluteHour / 24) + 4) % 7; // 1970-01-01 was a Thursday
    const bucket = dayOfWeek === 0 || dayOfWeek === 6 ? weekend : weekday;
    bucket[0]! += avg;
    bucket[1]! += 1;
    const day = Math.floor(i / 24);
    const m = dayMean.get(day) ?? [0, 0];
    m[0] += avg;
    m[1] += 1;
    dayMean.set(day, m);
    dayPeak.set(day, Math.max(dayPeak.get(day) ?? Number.NEGATIVE_INFINITY, max));
  }
  const mean = sum / all.hours;
  const median = quantileSorted(all.avgs, 0.5);
  const hotLine = 2 * Math.max(median, 0.5);
  let hot = 0;
  for (const v of all.avgs) if (v > hotLine) hot++;
  const hourMeans: number[] = [];
  for (let h = 0; h < 24; h++) if (hourCount[h]! > 0) hourMeans.push(hourSum[h]! / hourCount[h]!);
  let peakDays = 0;
  for (const p of dayPeak.values()) if (p >= 0.8 * all.peak) peakDays++;
  const maxSorted = [] as number[];
  for (let i = from; i < cutoff; i++) if (present(s, i)) maxSorted.push(s.max[i]!);
  maxSorted.sort((a, b) => a - b);

  return [
    all.peak,
    naive.peak,
    week.hours ? week.peak : MISSING,
    quantileSorted(maxSorted, 0.99),
    all.p95,
    naive.p95,
    mean,
    week.hours ? weekSum / week.hours : MISSING,
    all.peak - naive.peak,
    all.p95 - naive.p95,
    slope(dayMean),
    all.peak / Math.max(mean, 1),
    hot / all.hours,
    (Math.max(...hourMeans) - Math.min(...hourMeans)) / Math.max(mean, 1),
    weekend[1]! && weekday[1]!
      ? weekend[0]! / weekend[1]! / Math.max(weekday[0]! / weekday[1]!, 0.1)
      : MISSING,
    (cutoff - peakIndex) / 24,
    peakDays / dayPeak.size,
    all.hours / w.lookbackHours,
  ];
}

/** Least-squares slope of the daily means against the day, percent per day (0 under two days). */
function slope(dayMean: Map<number, [number, number]>): number {
  const points = [...dayMean].map(([day, [total, n]]) => [day, total / n] as const);
  if (points.length < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
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
  const t = windowStats(s, cutoff, end);
  if (t.days * 2 < w.horizonHours / 24) return null;
  return { p95: t.p95, peak: t.peak };
}
