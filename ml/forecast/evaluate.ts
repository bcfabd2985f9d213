/**
 * The forecast job against its targets, from the tables its last run wrote:
 * - month end: every total's projection from the 15th of each backtested month within 5% of
 *   what the month cost (the worst total, each currency apart);
 * - accuracy: the mean MAPE over every backtested scope (each scope counts once, whatever its
 *   size) at least 20% below seasonal naive's mean MAPE over the same scopes, origins and days;
 * - intervals: the 95% interval holds between 90% and 98% of the backtest's days, pooled over
 *   every scope, origin and day ahead.
 */
import type { Config } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { JobEvaluation, TargetCheck } from "../jobs.ts";
import { fixed, shorten, textTable } from "./table.ts";

export const TARGETS = { monthEndErrorPct: 5, mapeReductionPct: 20, coverage95: [90, 98] as const };

interface BacktestRow {
  scope_type: string;
  scope: string;
  currency: string;
  model: string;
  origins: number;
  horizon_days: number;
  points: number;
  mape: number | null;
  naive_mape: number | null;
  smape: number | null;
  naive_smape: number | null;
  coverage_80: number | null;
  coverage_95: number | null;
  note: string | null;
}

interface MonthRow {
  scope_type: string;
  scope: string;
  currency: string;
  month: string;
  as_of: string;
  projected: string;
  actual_month: string;
  error_pct: number | null;
}

export async function evaluateForecast(warehouse: Warehouse, _config: Config): Promise<JobEvaluation> {
  for (const table of ["forecast_backtest", "month_end_backtest"])
    if (!(await warehouse.tableExists("ml", table)))
      throw new UsageError(`ml.${table} does not exist: run cco ml forecast first`);
  const columns = new Set((await warehouse.columns("ml", "forecast_backtest")).map((c) => c.name));
  const cov = (p: number) => (columns.has(`coverage_${p}`) ? `coverage_${p}` : "null::double");
  const backtests = await warehouse.all<BacktestRow>(`
    select scope_type, scope, currency, model, origins, horizon_days, points, mape, naive_mape, smape, naive_smape,
      ${cov(80)} as coverage_80, ${cov(95)} as coverage_95, note
    from ml.forecast_backtest`);
  const months = await warehouse.all<MonthRow>(`
    select scope_type, scope, currency, month, as_of::varchar as as_of, projected::varchar as projected,
      actual_month::varchar as actual_month, error_pct
    from ml.month_end_backtest where scope_type in ('total', 'provider') order by scope_type desc, scope, currency, month`);
  return { job: "forecast", checks: checksOf(backtests, months), table: formatTable(backtests, months) };
}

export function checksOf(backtests: BacktestRow[], months: MonthRow[]): TargetCheck[] {
  const scored = backtests.filter((b) => b.points > 0 && b.mape !== null && b.naive_mape !== null);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const checks: TargetCheck[] = [];

  const totals = months.filter((m) => m.scope_type === "total" && m.error_pct !== null);
  const worst = totals.length ? Math.max(...totals.map((m) => Math.abs(m.error_pct!))) : null;
  checks.push({
    name: totals.length
      ? `month-end projection error of the total, from the 15th (worst of ${totals.length}: ${[...new Set(totals.map((m) => `${m.month} ${m.currency}`))].join(", ")})`
      : "month-end projection error of the total (no complete month with enough history before its 15th)",
    value: worst === null ? null : round(worst),
    target: `<= ${TARGETS.monthEndErrorPct}%`,
    met: worst !== null && worst <= TARGETS.monthEndErrorPct,
  });

  const reduction = scored.length
    ? 100 * (1 - mean(scored.map((b) => b.mape!)) / mean(scored.map((b) => b.naive_mape!)))
    : null;
  checks.push({
    name: `MAPE below seasonal naive's, mean over ${scored.length} backtested scopes (${scored.length ? `${fixed(mean(scored.map((b) => b.mape!)))}% vs ${fixed(mean(scored.map((b) => b.naive_mape!)))}%` : "none"})`,
    value: reduction === null ? null : round(reduction),
    target: `>= ${TARGETS.mapeReductionPct}% lower`,
    met: reduction !== null && reduction >= TARGETS.mapeReductionPct,
  });

  const withCoverage = scored.filter((b) => b.coverage_95 !== null);
  const points = withCoverage.reduce((a, b) => a + b.points, 0);
  const coverage = points ? withCoverage.reduce((a, b) => a + b.coverage_95! * b.points, 0) / points : null;
  const [lo, hi] = TARGETS.coverage95;
  checks.push({
    name: `95% interval coverage, pooled over ${points} backtest days`,
    value: coverage === null ? null : round(coverage),
    target: `${lo}-${hi}%`,
    met: coverage !== null && coverage >= lo && coverage <= hi,
  });
  return checks;
}

const round = (x: number) => Math.round(x * 100) / 100;

function formatTable(backtests: BacktestRow[], months: MonthRow[]): string {
  const scopeRows = backtests.map((b) => [
    b.scope_type,
    shorten(`${b.scope} ${b.currency}`),
    String(b.origins),
    fixed(b.mape, 2, "%"),
    fixed(b.naive_mape, 2, "%"),
    fixed(b.smape, 2, "%"),
    fixed(b.naive_smape, 2, "%"),
    fixed(b.coverage_80, 1, "%"),
    fixed(b.coverage_95, 1, "%"),
    b.points ? shortModel(b.model) : (b.note ?? "-"),
  ]);
  const monthRows = months.map((m) => [
    m.scope_type,
    shorten(`${m.scope} ${m.currency}`),
    m.month,
    m.as_of,
    fixed(m.projected),
    fixed(m.actual_month),
    fixed(m.error_pct, 2, "%"),
  ]);
  return [
    `Backtest (rolling weekly origins, ${backtests.find((b) => b.horizon_days)?.horizon_days ?? "-"} days ahead each) against seasonal naive:`,
    textTable(
      ["scope type", "scope", "origins", "MAPE", "naive", "sMAPE", "naive", "cov80", "cov95", "model"],
      scopeRows,
      [0, 1, 9],
    ),
    "",
    "Month-end projections from the 15th of each complete month:",
    textTable(["scope type", "scope", "month", "data to", "projected", "actual", "error"], monthRows),
  ].join("\n");
}

function shortModel(model: string): string {
  return model.replaceAll("SARIMA", "").replaceAll("(s=7)", "");
}
