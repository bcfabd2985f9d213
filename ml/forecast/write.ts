/**
 * The forecast job's tables, rebuilt whole on every run in one transaction:
 * ml.cost_forecasts (every past day's rolling prediction and the days ahead), ml.forecast_backtest
 * (per scope, next to seasonal naive), ml.month_end_projections (the current month) and
 * ml.month_end_backtest. Money is DECIMAL(18, 2) in each row's currency; interval columns are
 * named by their percent (lower_95, upper_95).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ident, lit } from "../../core/sql.ts";
import type { TransactionScope } from "../../core/warehouse/warehouse.ts";
import type { BacktestResult } from "./backtest.ts";
import type { MonthEnd } from "./month-end.ts";
import { bounds, expected } from "./models.ts";
import type { OriginResult } from "./rolling.ts";
import { addDays, type Series } from "./series.ts";

export type Column = [name: string, type: string];

/** lower_95, upper_97_5: the interval's percent in a column name. */
export function intervalColumn(side: "lower" | "upper", pct: number): string {
  return `${side}_${String(pct).replace(".", "_")}`;
}

const MONEY = "DECIMAL(18, 2)";
// Beyond DECIMAL(18, 2) a figure is no money anyone spends: stored as unknown, not a failed job.
const money = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) || Math.abs(v) >= 1e15 ? null : v.toFixed(2);
const ratio = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toFixed(4));

const SCOPE_COLUMNS: Column[] = [
  ["scope_type", "VARCHAR"],
  ["scope", "VARCHAR"],
  ["currency", "VARCHAR"],
  ["provider", "VARCHAR"],
  ["billing_account_id", "VARCHAR"],
  ["sub_account_id", "VARCHAR"],
  ["service_name", "VARCHAR"],
  ["region", "VARCHAR"],
];

function scopeRow(s: Series) {
  return {
    scope_type: s.scopeType,
    scope: s.scope,
    currency: s.currency,
    provider: s.provider,
    billing_account_id: s.billingAccountId,
    sub_account_id: s.subAccountId,
    service_name: s.serviceName,
    region: s.region,
  };
}

const intervalColumns = (intervals: number[], type: string): Column[] =>
  intervals.flatMap((p) => [
    [intervalColumn("lower", p), type] as Column,
    [intervalColumn("upper", p), type] as Column,
  ]);

export function forecastColumns(intervals: number[]): Column[] {
  return [
    ...SCOPE_COLUMNS,
    ["forecast_date", "DATE"],
    ["kind", "VARCHAR"], // history: predicted before the day was billed | forecast: ahead of the data
    ["origin_date", "DATE"],
    ["horizon", "INTEGER"],
    ["actual_cost", MONEY],
    ["expected_cost", MONEY],
    ...intervalColumns(intervals, MONEY),
    ["model", "VARCHAR"],
    ["note", "VARCHAR"],
  ];
}

/**
 * Rows of one scope: each past day predicted from the latest weekly origin before it (one to
 * seven days ahead), then the final forecast `horizon` days ahead.
 */
export function forecastRows(
  series: Series,
  dates: string[],
  results: OriginResult[],
  intervals: number[],
  horizon: number,
): Record<string, unknown>[] {
  const n = dates.length;
  const rows: Record<string, unknown>[] = [];
  const base = scopeRow(series);
  results.forEach((r, i) => {
    if (!r.forecast) return;
    const until = r.origin === n ? r.origin + horizon : Math.min(results[i + 1]?.origin ?? n, n);
    for (let day = r.origin; day < until; day++) {
      const h = day - r.origin;
      if (h >= r.forecast.center.length) break;
      const row: Record<string, unknown> = {
        ...base,
        forecast_date: day < n ? dates[day] : addDays(dates[n - 1]!, day - n + 1),
        kind: day < n ? "history" : "forecast",
        origin_date: r.origin < n ? dates[r.origin] : addDays(dates[n - 1]!, 1),
        horizon: h + 1,
        actual_cost: day < n ? money(series.usage[day]) : null,
        expected_cost: money(expected(r.forecast, h)),
        model: r.model,
        note: r.note,
      };
      for (const p of intervals) {
        const [lo, hi] = bounds(r.forecast, h, p);
        row[intervalColumn("lower", p)] = money(lo);
        row[intervalColumn("upper", p)] = money(hi);
      }
      rows.push(row);
    }
  });
  return rows;
}

export function backtestColumns(intervals: number[]): Column[] {
  return [
    ...SCOPE_COLUMNS,
    ["model", "VARCHAR"],
    ["origins", "INTEGER"],
    ["horizon_days", "INTEGER"],
    ["points", "INTEGER"],
    ["mape", "DOUBLE"],
    ["smape", "DOUBLE"],
    ...intervals.map((p): Column => [`coverage_${String(p).replace(".", "_")}`, "DOUBLE"]),
    ["naive_mape", "DOUBLE"],
    ["naive_smape", "DOUBLE"],
    ...intervals.map((p): Column => [`naive_coverage_${String(p).replace(".", "_")}`, "DOUBLE"]),
    ["mape_vs_naive_pct", "DOUBLE"],
    ["note", "VARCHAR"],
  ];
}

export function backtestRow(
  b: BacktestResult,
  horizon: number,
  intervals: number[],
): Record<string, unknown> {
  const { mape } = b.scores;
  const naive = b.naive.mape;
  return {
    ...scopeRow(b.series),
    model: b.model,
    origins: b.origins,
    horizon_days: horizon,
    points: b.points,
    mape: ratio(mape),
    smape: ratio(b.scores.smape),
    ...Object.fromEntries(
      intervals.map((p) => [`coverage_${String(p).replace(".", "_")}`, ratio(b.scores.coverage[p])]),
    ),
    naive_mape: ratio(naive),
    naive_smape: ratio(b.naive.smape),
    ...Object.fromEntries(
      intervals.map((p) => [`naive_coverage_${String(p).replace(".", "_")}`, ratio(b.naive.coverage[p])]),
    ),
    mape_vs_naive_pct: mape !== null && naive ? ratio(100 * (mape / naive - 1)) : null,
    note: b.note,
  };
}

export function monthEndColumns(intervals: number[], backtest: boolean): Column[] {
  return [
    ...SCOPE_COLUMNS,
    ["month", "VARCHAR"],
    ["as_of", "DATE"],
    ["days_in_month", "INTEGER"],
    ["days_actual", "INTEGER"],
    ["actual_to_date", MONEY],
    ["forecast_rest", MONEY],
    ["projected", MONEY],
    ...intervalColumns(intervals, MONEY),
    ["one_off_to_date", MONEY],
    ...(backtest
      ? ([
          ["actual_month", MONEY],
          ["error_pct", "DOUBLE"],
        ] as Column[])
      : []),
    ["model", "VARCHAR"],
    ["note", "VARCHAR"],
  ];
}

export function monthEndRow(m: MonthEnd, intervals: number[]): Record<string, unknown> {
  return {
    ...scopeRow(m.series),
    month: m.month,
    as_of: m.asOf,
    days_in_month: m.daysInMonth,
    days_actual: m.daysActual,
    actual_to_date: money(m.actualToDate),
    forecast_rest: money(m.forecastRest),
    projected: money(m.projected),
    ...Object.fromEntries(
      intervals.flatMap((p) => [
        [intervalColumn("lower", p), money(m.range[p]![0])],
        [intervalColumn("upper", p), money(m.range[p]![1])],
      ]),
    ),
    one_off_to_date: money(m.oneOffToDate),
    actual_month: money(m.actualMonth),
    error_pct: ratio(m.errorPct),
    model: m.model,
    note: m.note,
  };
}

/**
 * Replaces `table` with `rows` inside the caller's transaction. DuckDB reads a newline-delimited
 * JSON file in one statement, far faster than row inserts; money travels as exact strings.
 */
export async function replaceTable(
  tx: TransactionScope,
  cacheDir: string,
  table: string,
  columns: Column[],
  rows: Record<string, unknown>[],
): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${table.replace(".", "-")}-${process.pid}.ndjson`);
  writeFileSync(
    file,
    rows.map((r) => JSON.stringify(Object.fromEntries(columns.map(([c]) => [c, r[c] ?? null])))).join("\n"),
  );
  try {
    const names = columns.map(([c]) => ident(c)).join(", ");
    const types = columns.map(([c, t]) => `${ident(c)}: ${lit(t)}`).join(", ");
    await tx.run(
      `create or replace table ${table} (${columns.map(([c, t]) => `${ident(c)} ${t}`).join(", ")})`,
    );
    if (rows.length)
      await tx.run(
        `insert into ${table} select ${names} from read_json(${lit(file)}, format = 'newline_delimited', columns = {${types}})`,
      );
  } finally {
    rmSync(file, { force: true });
  }
}
