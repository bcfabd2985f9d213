/**
 * Which days are anomalous and how they group. A day is anomalous when its usage cost rose
 * above the forecast's interval (the prediction made before the day was billed) and its impact,
 * actual minus expected, passes both minimums: in money and in percent of the expected cost
 * (as AWS Cost Anomaly Detection and Vantage do). Only rises count: a drop in spend (a
 * commitment starting, resources deleted) is not an anomaly here. Consecutive anomalous days
 * of a scope make one anomaly.
 */

export interface DayPoint {
  date: string;
  actual: number;
  expected: number;
  /** The interval's upper bound. */
  upper: number;
}

export interface Thresholds {
  minImpact: number;
  minImpactPct: number;
}

export interface Detected {
  start: string;
  end: string;
  days: DayPoint[];
  actual: number;
  expected: number;
  impact: number;
  /** Impact in percent of the expected cost; null when nothing was expected. */
  impactPct: number | null;
}

export function isAnomalous(p: DayPoint, t: Thresholds): boolean {
  const impact = p.actual - p.expected;
  if (!(p.actual > p.upper) || impact < t.minImpact || impact <= 0) return false;
  return p.expected > 0 ? (100 * impact) / p.expected >= t.minImpactPct : true;
}

/** The anomalies of one scope's days (in date order): runs of consecutive anomalous days. */
export function detect(points: DayPoint[], t: Thresholds): Detected[] {
  const out: Detected[] = [];
  let run: DayPoint[] = [];
  const close = () => {
    if (!run.length) return;
    const actual = run.reduce((a, p) => a + p.actual, 0);
    const expected = run.reduce((a, p) => a + p.expected, 0);
    out.push({
      start: run[0]!.date,
      end: run.at(-1)!.date,
      days: run,
      actual,
      expected,
      impact: actual - expected,
      impactPct: expected > 0 ? (100 * (actual - expected)) / expected : null,
    });
    run = [];
  };
  for (const p of points) {
    const follows = run.length > 0 && nextDay(run.at(-1)!.date) === p.date;
    if (!isAnomalous(p, t)) {
      close();
      continue;
    }
    if (run.length && !follows) close();
    run.push(p);
  }
  close();
  return out;
}

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
