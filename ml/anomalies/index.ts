/**
 * The anomaly job: every past day's usage cost per scope against the forecast job's prediction
 * of it (made before the day, from the latest weekly origin: ml.cost_forecasts, kind history),
 * anomalous days above the interval with both minimum impacts passed (detect.ts), consecutive
 * days merged, each anomaly's root cause from marts.focus_costs (root-cause.ts), stored in
 * ml.cost_anomalies with the users' statuses kept (store.ts). One-off charges are not in the
 * series, so a purchase, tax, a credit or a refund is never an anomaly of usage.
 */
import type { Config } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import type { Progress } from "../../core/log.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { intervalColumn } from "../forecast/write.ts";
import type { JobEvaluation, JobResult, MlTruth } from "../jobs.ts";
import { recordRun } from "../runs.ts";
import { type DayPoint, type Detected, detect } from "./detect.ts";
import { evaluateAnomalies } from "./evaluate.ts";
import { type CauseQuery, rootCauses } from "./root-cause.ts";
import { type AnomalyRow, storeAnomalies } from "./store.ts";

interface HistoryRow {
  scope_type: string;
  scope: string;
  currency: string;
  provider: string | null;
  billing_account_id: string | null;
  sub_account_id: string | null;
  service_name: string | null;
  region: string | null;
  day: string;
  actual: number;
  expected: number;
  upper: number;
}

type ScopeKey = Omit<HistoryRow, "day" | "actual" | "expected" | "upper">;

/** The filter of a scope on focus_costs: the columns its type fixes (a service scope fixes provider and service). */
function filterOf(s: ScopeKey): Omit<CauseQuery, "key" | "start_date" | "end_date"> {
  const fixes: Record<string, (keyof ScopeKey)[]> = {
    total: [],
    provider: ["provider"],
    service: ["provider", "service_name"],
    billing_account: ["provider", "billing_account_id"],
    sub_account: ["provider", "sub_account_id"],
    region: ["provider", "region"],
  };
  const keep = new Set(fixes[s.scope_type] ?? []);
  const pick = (k: keyof ScopeKey) => (keep.has(k) ? (s[k] as string | null) : null);
  return {
    currency: s.currency,
    provider: pick("provider"),
    billing_account_id: pick("billing_account_id"),
    sub_account_id: pick("sub_account_id"),
    service_name: pick("service_name"),
    region: pick("region"),
  };
}

export async function run(warehouse: Warehouse, config: Config, progress: Progress): Promise<JobResult> {
  const started = performance.now();
  const settings = config.ml.anomalies;
  const upper = intervalColumn("upper", settings.interval);
  if (!(await warehouse.tableExists("ml", "cost_forecasts")))
    throw new UsageError(
      "ml.cost_forecasts does not exist: run cco ml forecast first (cco ml runs both in order)",
    );
  const columns = new Set((await warehouse.columns("ml", "cost_forecasts")).map((c) => c.name));
  if (!columns.has(upper))
    throw new UsageError(
      `ml.cost_forecasts has no ${settings.interval}% interval (ml.anomalies.interval): run cco ml forecast again`,
    );
  const rows = await warehouse.all<HistoryRow>(`
    select scope_type, scope, currency, provider, billing_account_id, sub_account_id, service_name, region,
      forecast_date::varchar as day, actual_cost::double as actual, expected_cost::double as expected, ${upper}::double as upper
    from ml.cost_forecasts where kind = 'history'
    order by scope_type, scope, currency, forecast_date`);
  const scopes = new Map<string, { scope: ScopeKey; points: DayPoint[] }>();
  for (const { day, actual, expected, upper: up, ...scope } of rows) {
    const key = `${scope.scope_type}|${scope.scope}|${scope.currency}`;
    const entry = scopes.get(key) ?? { scope, points: [] };
    scopes.set(key, entry);
    entry.points.push({ date: day, actual, expected, upper: up });
  }
  const thresholds = { minImpact: settings.min_impact, minImpactPct: settings.min_impact_pct };
  const found: { scope: ScopeKey; anomaly: Detected }[] = [];
  const examined = new Map<string, string>();
  for (const [key, { scope, points }] of scopes) {
    examined.set(key, points[0]!.date);
    for (const anomaly of detect(points, thresholds)) found.push({ scope, anomaly });
  }
  const queries: CauseQuery[] = found.map(({ scope, anomaly }, i) => ({
    key: String(i),
    ...filterOf(scope),
    start_date: anomaly.start,
    end_date: anomaly.end,
  }));
  const causes = await progress.step(`Root causes of ${found.length} anomalies`, () =>
    rootCauses(warehouse, config.paths.cache, queries),
  );
  const detected: AnomalyRow[] = found.map(({ scope, anomaly }, i) => ({
    ...scope,
    start_date: anomaly.start,
    end_date: anomaly.end,
    expected_cost: anomaly.expected.toFixed(2),
    actual_cost: anomaly.actual.toFixed(2),
    impact: anomaly.impact.toFixed(2),
    impact_pct: anomaly.impactPct === null ? null : Math.round(anomaly.impactPct * 100) / 100,
    root_cause: (causes.get(String(i)) ?? []).map((c) => ({
      ...c,
      actual: round2(c.actual),
      expected: round2(c.expected),
      impact: round2(c.impact),
      share: c.share === null ? null : Math.round(c.share * 1000) / 1000,
    })),
  }));
  const stored = await storeAnomalies(warehouse, config.paths.cache, detected, examined);
  const [counts] = await warehouse.all<{ open: number; total: number }>(
    "select count(*) filter (where status = 'open')::integer as open, count(*)::integer as total from ml.cost_anomalies",
  );
  const sortedDays = rows.map((r) => r.day).sort();
  const days = [sortedDays[0], sortedDays.at(-1)];
  const metrics = {
    scopes: scopes.size,
    days_examined: rows.length,
    anomalies: detected.length,
    events: new Set(stored.events).size,
    anomalous_scopes: new Set(found.map((f) => `${f.scope.scope_type}|${f.scope.scope}|${f.scope.currency}`))
      .size,
    inserted: stored.inserted,
    updated: stored.updated,
    removed: stored.removed,
    open: counts?.open ?? 0,
    stored: counts?.total ?? 0,
  };
  const durationSeconds = (performance.now() - started) / 1000;
  await recordRun(warehouse, {
    job: "anomalies",
    model: `usage cost above the forecast's ${settings.interval}% interval, both minimum impacts; root cause against each value's 4-week same-weekday median`,
    parameters: { ...settings },
    seed: config.ml.seed,
    dataStart: days[0] ?? null,
    dataEnd: days[1] ?? null,
    rowsIn: rows.length,
    rowsOut: detected.length,
    metrics,
    durationSeconds,
  });
  return {
    job: "anomalies",
    rows: detected.length,
    summary:
      `${metrics.events} anomalies seen in ${detected.length} scope rows (${metrics.anomalous_scopes} of ${scopes.size} scopes; ${stored.inserted} new, ` +
      `${stored.updated} seen before, ${stored.removed} no longer found); ${metrics.open} open in ml.cost_anomalies ` +
      `(${durationSeconds.toFixed(1)}s)`,
    metrics,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export async function evaluate(
  warehouse: Warehouse,
  config: Config,
  truth: MlTruth | undefined,
): Promise<JobEvaluation> {
  return evaluateAnomalies(warehouse, config, truth);
}
