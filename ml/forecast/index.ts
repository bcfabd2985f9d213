/**
 * The forecast job: daily usage cost per scope and currency (total, provider, service, billing
 * account and the largest sub-accounts and regions), forecast with weekly-seasonal SARIMA
 * chosen at rolling weekly origins (rolling.ts), a simpler model where a series is short or
 * broken (and the row says why), 80/95% intervals calibrated on past errors, the current
 * month's projected end, and a rolling-origin backtest next to seasonal naive. Deterministic:
 * no step draws a random number (the seed is recorded with the run all the same).
 */
import type { Config } from "../../core/config.ts";
import type { Progress } from "../../core/log.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { JobEvaluation, JobResult, MlTruth } from "../jobs.ts";
import { recordRun } from "../runs.ts";
import { type BacktestResult, backtest } from "./backtest.ts";
import { evaluateForecast } from "./evaluate.ts";
import { currentMonth, type MonthEnd, monthEndBacktest } from "./month-end.ts";
import { LEVEL, TREND } from "./models.ts";
import { ErrorPool, type OriginResult, ScopeRoller, weeklyOrigins } from "./rolling.ts";
import { readSeries, type Series } from "./series.ts";
import {
  backtestColumns,
  backtestRow,
  forecastColumns,
  forecastRows,
  monthEndColumns,
  monthEndRow,
  replaceTable,
} from "./write.ts";

/** Interval percents every table carries: the configured ones, 95 (the targets') and the anomaly detector's. */
export function intervalsOf(config: Config): number[] {
  return [...new Set([...config.ml.forecast.intervals, 95, config.ml.anomalies.interval])].sort(
    (a, b) => a - b,
  );
}

export async function run(warehouse: Warehouse, config: Config, progress: Progress): Promise<JobResult> {
  const started = performance.now();
  const s = config.ml.forecast;
  const intervals = intervalsOf(config);
  const backtestHorizon = s.horizons[0]!;
  const finalHorizon = Math.max(...s.horizons);
  // The backtest needs weeks of errors before an origin to choose a model there.
  const minTrainDays = 2 * s.min_history_days;
  const { dates, series } = await progress.step("Reading daily cost per scope and currency", () =>
    readSeries(warehouse, s.top_scopes),
  );
  const forecasts: Record<string, unknown>[] = [];
  const backtests: BacktestResult[] = [];
  const current: MonthEnd[] = [];
  const monthEnds: MonthEnd[] = [];
  await progress.step(
    `Forecasting ${series.length} scopes (SARIMA, rolling weekly origins)`,
    async (tick) => {
      const { rollers, results, pool } = rollAll(series, dates, config, (done, total) => tick(done, total));
      series.forEach((one, i) => {
        forecasts.push(...forecastRows(one, dates, results[i]!, intervals, finalHorizon));
        backtests.push(backtest(one, results[i]!, backtestHorizon, intervals, minTrainDays));
        const final = results[i]!.at(-1);
        if (final) current.push(currentMonth(one, dates, final, intervals));
        monthEnds.push(
          ...monthEndBacktest(rollers[i]!, dates, intervals, minTrainDays, pool.floors(rollers)),
        );
      });
    },
  );
  await progress.step("Writing ml.cost_forecasts, ml.forecast_backtest and the month-end projections", () =>
    warehouse.transaction(async (tx) => {
      await replaceTable(tx, config.paths.cache, "ml.cost_forecasts", forecastColumns(intervals), forecasts);
      await replaceTable(
        tx,
        config.paths.cache,
        "ml.forecast_backtest",
        backtestColumns(intervals),
        backtests.map((b) => backtestRow(b, backtestHorizon, intervals)),
      );
      await replaceTable(
        tx,
        config.paths.cache,
        "ml.month_end_projections",
        monthEndColumns(intervals, false),
        current.map((m) => monthEndRow(m, intervals)),
      );
      await replaceTable(
        tx,
        config.paths.cache,
        "ml.month_end_backtest",
        monthEndColumns(intervals, true),
        monthEnds.map((m) => monthEndRow(m, intervals)),
      );
    }),
  );
  const metrics = summarize(backtests, monthEnds);
  const durationSeconds = (performance.now() - started) / 1000;
  await recordRun(warehouse, {
    job: "forecast",
    model: `${TREND.name} | ${LEVEL.name}${s.auto_arima_scopes.length ? " | AutoARIMA(s=7)" : ""}, chosen per weekly origin; weekly mean fallback`,
    parameters: { ...s, intervals, backtest_horizon: backtestHorizon, min_train_days: minTrainDays },
    seed: config.ml.seed,
    dataStart: dates[0] ?? null,
    dataEnd: dates.at(-1) ?? null,
    rowsIn: series.length,
    rowsOut: forecasts.length,
    metrics: { ...metrics, scopes: series.length },
    durationSeconds,
  });
  const fallbacks = current.filter(
    (m) => m.model !== TREND.name && m.model !== LEVEL.name && !m.model.startsWith("Auto"),
  ).length;
  return {
    job: "forecast",
    rows: forecasts.length,
    summary:
      `${series.length} scopes forecast ${finalHorizon} days ahead` +
      (fallbacks ? ` (${fallbacks} on a simpler model, see note)` : "") +
      (metrics.mape !== null
        ? `; backtest MAPE ${metrics.mape.toFixed(2)}% vs seasonal naive ${metrics.naive_mape!.toFixed(2)}%, 95% coverage ${metrics.coverage_95!.toFixed(1)}%`
        : "; no backtest (history too short)") +
      (metrics.month_end_max_error_pct !== null
        ? `; month-end error (total) at most ${metrics.month_end_max_error_pct.toFixed(2)}%`
        : "") +
      ` (${durationSeconds.toFixed(1)}s)`,
    metrics,
  };
}

/**
 * Every scope over the weekly origins, origin by origin: the intervals' floor at an origin pools
 * the errors of all scopes before it. The last result of each scope is its forecast from the
 * data's end.
 */
export function rollAll(
  series: Series[],
  dates: string[],
  config: Pick<Config, "ml">,
  tick: (done: number, total: number) => void = () => undefined,
): { rollers: ScopeRoller[]; results: OriginResult[][]; pool: ErrorPool } {
  const s = config.ml.forecast;
  const n = dates.length;
  const rollers = series.map(
    (one) =>
      new ScopeRoller(one, dates, {
        minHistoryDays: s.min_history_days,
        auto: s.auto_arima_scopes.includes(one.scopeType),
      }),
  );
  const results: OriginResult[][] = series.map(() => []);
  const pool = new ErrorPool();
  const origins = weeklyOrigins(n);
  origins.forEach((o, k) => {
    const floor = pool.floors(rollers)(o);
    rollers.forEach((roller, i) => {
      const result = roller.weekly(o, o === n ? Math.max(...s.horizons) : s.horizons[0]!, floor);
      results[i]!.push(result);
      pool.add(i, result, roller.series.usage);
    });
    tick(k + 1, origins.length);
  });
  return { rollers, results, pool };
}

/** The run's headline figures: the means over backtested scopes, pooled coverage, worst month-end error of a total. */
export function summarize(backtests: BacktestResult[], monthEnds: MonthEnd[]) {
  const scored = backtests.filter((b) => b.points && b.scores.mape !== null && b.naive.mape !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const points = scored.reduce((a, b) => a + b.points, 0);
  const pooled = (p: number) =>
    points && scored.every((b) => typeof b.scores.coverage[p] === "number")
      ? scored.reduce((a, b) => a + b.scores.coverage[p]! * b.points, 0) / points
      : null;
  const totals = monthEnds.filter(
    (m) => m.series.scopeType === "total" && m.errorPct !== null && m.errorPct !== undefined,
  );
  return {
    backtest_scopes: scored.length,
    backtest_points: points,
    mape: mean(scored.map((b) => b.scores.mape!)),
    naive_mape: mean(scored.map((b) => b.naive.mape!)),
    smape: mean(scored.map((b) => b.scores.smape ?? 0)),
    naive_smape: mean(scored.map((b) => b.naive.smape ?? 0)),
    coverage_80: pooled(80),
    coverage_95: pooled(95),
    month_end_backtests: totals.length,
    month_end_max_error_pct: totals.length ? Math.max(...totals.map((m) => Math.abs(m.errorPct!))) : null,
  };
}

export async function evaluate(
  warehouse: Warehouse,
  config: Config,
  _truth: MlTruth | undefined,
): Promise<JobEvaluation> {
  return evaluateForecast(warehouse, config);
}
