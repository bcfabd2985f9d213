/**
 * Series checks and outlier cleaning before a fit.
 *
 * diagnose() says whether a series can take a SARIMA fit at an origin or needs the simpler
 * model (and why): too little history (a new service), gaps, no usage lately, or one-off
 * charges only. clean() replaces days far from the same weekday of the neighbouring weeks
 * (a one-day spike, a few days of a runaway job) by that weekday's median before fitting, so
 * an anomaly in the training data neither bends the forecast nor echoes a week later.
 */

export type Diagnosis =
  | { kind: "model"; first: number }
  | { kind: "fallback"; first: number; reason: string }
  | { kind: "none"; reason: string };

/** What a series up to (not including) `origin` supports. */
export function diagnose(
  usage: number[],
  oneOff: number[],
  origin: number,
  dates: string[],
  minHistoryDays: number,
): Diagnosis {
  let first = -1;
  let last = -1;
  for (let i = 0; i < origin; i++) {
    if (usage[i] === 0) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) {
    const days = oneOff.slice(0, origin).filter((v) => v !== 0).length;
    return {
      kind: "none",
      reason: days
        ? `only one-off charges (${days} day${days > 1 ? "s" : ""}): nothing recurring to forecast`
        : "no usage cost",
    };
  }
  const history = origin - first;
  if (origin - 1 - last >= 7)
    return { kind: "fallback", first, reason: `no usage cost since ${dates[last + 1]}` };
  if (history < minHistoryDays) {
    const what = first > 0 ? `new: first usage cost on ${dates[first]}, ` : "short: ";
    return { kind: "fallback", first, reason: `${what}${history} days of history (under ${minHistoryDays})` };
  }
  let gaps = 0;
  for (let i = first; i < origin; i++) if (usage[i] === 0) gaps++;
  if (gaps) return { kind: "fallback", first, reason: `gaps: ${gaps} of ${history} days without usage cost` };
  return { kind: "model", first };
}

const NEIGHBOURS = [-21, -14, -7, 7, 14, 21];
/** A day is an outlier beyond this many robust standard deviations of the residuals… */
const ROBUST_SDS = 5;
/** …and beyond this share of the series' typical level (a flat series has no spread at all). */
const MIN_RELATIVE_DEVIATION = 0.05;

/** The series with outlying days replaced by the median of their weekday in the weeks around them. */
export function clean(values: number[]): { values: number[]; outliers: number[] } {
  const n = values.length;
  const base = values.map((v, t) => {
    const around = [v];
    for (const o of NEIGHBOURS) if (t + o >= 0 && t + o < n) around.push(values[t + o]!);
    return median(around);
  });
  const residuals = values.map((v, t) => v - base[t]!);
  const spread = 1.4826 * median(residuals.map(Math.abs));
  const threshold = Math.max(ROBUST_SDS * spread, MIN_RELATIVE_DEVIATION * median(values.map(Math.abs)));
  const outliers: number[] = [];
  const out = values.map((v, t) => {
    if (Math.abs(residuals[t]!) <= threshold) return v;
    outliers.push(t);
    return base[t]!;
  });
  return { values: out, outliers };
}

export function median(values: number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
