/**
 * The forecast job on a small hand-made estate in a real DuckDB file: its tables, scopes per
 * currency, the simpler model where a series asks for it, the month-end projection, the run
 * ledger, determinism and the evaluation's checks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { evaluate, run } from "../../../ml/forecast/index.ts";
import type { JobResult } from "../../../ml/jobs.ts";
import { quiet } from "../../helpers/tmp.ts";
import { fixtureWarehouse, SMALL_DAYS, smallEstate } from "./warehouse-fixture.ts";

let warehouse: Warehouse;
let config: Config;
let result: JobResult;

beforeAll(async () => {
  ({ warehouse, config } = await fixtureWarehouse(smallEstate()));
  result = await run(warehouse, config, quiet);
});
afterAll(() => warehouse.close());

const fingerprint = async () =>
  (
    await warehouse.all<{ h: string }>(
      "select md5(string_agg(to_json(f)::varchar, '|' order by scope_type, scope, currency, forecast_date, kind)) as h from ml.cost_forecasts f",
    )
  )[0]!.h;

describe("the forecast job", () => {
  it("forecasts every scope in each currency apart, 90 days past the data", async () => {
    const scopes = await warehouse.all<{
      scope_type: string;
      scope: string;
      currency: string;
      days: number;
      first: string;
    }>(`
      select scope_type, scope, currency, count(*)::integer as days, min(forecast_date)::varchar as first
      from ml.cost_forecasts where kind = 'forecast' group by all order by all`);
    const names = scopes.map((s) => `${s.scope_type} ${s.scope} ${s.currency}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "total total EUR",
        "total total USD",
        "provider aws USD",
        "provider azure EUR",
        "service aws/AWS Lambda USD",
        "service aws/Amazon S3 USD",
        "service aws/Amazon Bedrock USD",
        "billing_account aws/111111111111 USD",
      ]),
    );
    for (const s of scopes) expect([s.days, s.first]).toEqual([90, "2026-06-30"]);
    expect(result.summary).toMatch(/scopes forecast 90 days ahead/);
  });

  it("never adds one currency to another: each total is its own currency's services", async () => {
    const [sums] = await warehouse.all<{ usd: number; services: number; eur: number; azure: number }>(`
      select
        sum(expected_cost) filter (where scope_type = 'total' and currency = 'USD')::double as usd,
        sum(expected_cost) filter (where scope_type = 'service' and currency = 'USD')::double as services,
        sum(expected_cost) filter (where scope_type = 'total' and currency = 'EUR')::double as eur,
        sum(expected_cost) filter (where scope_type = 'provider' and scope = 'azure')::double as azure
      from ml.cost_forecasts where kind = 'forecast' and horizon <= 7`);
    expect(sums!.eur).toBeCloseTo(sums!.azure, 0);
    expect(Math.abs(sums!.usd / sums!.services - 1)).toBeLessThan(0.03);
  });

  it("says in the row where a series got the simpler model, and forecasts nothing from a purchase alone", async () => {
    const rows = await warehouse.all<{ scope: string; model: string; note: string | null }>(`
      select scope, any_value(model) as model, any_value(note) as note from ml.cost_forecasts
      where kind = 'forecast' and scope in ('aws/Amazon Bedrock', 'aws/AWS Lambda') group by scope order by scope`);
    expect(rows[0]).toMatchObject({
      scope: "aws/AWS Lambda",
      model: expect.stringMatching(/^SARIMA|^AutoARIMA/),
    });
    expect(rows[1]).toMatchObject({
      scope: "aws/Amazon Bedrock",
      model: "weekly mean (fallback)",
      note: "new: first usage cost on 2026-06-20, 10 days of history (under 28)",
    });
    const marketplace = await warehouse.all<{ model: string; note: string; points: number }>(
      "select model, note, points from ml.forecast_backtest where scope = 'aws/AWS Marketplace'",
    );
    expect(marketplace).toEqual([
      { model: "none", note: "only one-off charges (1 day): nothing recurring to forecast", points: 0 },
    ]);
    const [none] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ml.cost_forecasts where scope in ('aws/AWS Marketplace', 'aws/Tax')",
    );
    expect(none!.n).toBe(0);
  });

  it("keeps every past day's prediction, made before that day, with its interval", async () => {
    const [h] = await warehouse.all<{ days: number; max_horizon: number; bad: number; first: string }>(`
      select count(*)::integer as days, max(horizon)::integer as max_horizon, min(forecast_date)::varchar as first,
        count(*) filter (where not (lower_95 <= lower_80 and lower_80 <= expected_cost and expected_cost <= upper_80
          and upper_80 <= upper_95))::integer as bad
      from ml.cost_forecasts where kind = 'history' and scope_type = 'total' and currency = 'USD'`);
    // Weekly origins from day 8 on (aligned on the last day), one to seven days ahead each.
    expect(h!.max_horizon).toBe(7);
    expect(h!.bad).toBe(0);
    expect(h!.days).toBeGreaterThan(SMALL_DAYS - 14);
  });

  it("projects the month of the data's last day, and backtests earlier months from their 15th", async () => {
    const current = await warehouse.all<Record<string, string | number>>(
      "select month, as_of::varchar as as_of, days_in_month, days_actual, actual_to_date, forecast_rest, projected, lower_95, upper_95 from ml.month_end_projections where scope_type = 'total' order by currency",
    );
    expect(current.map((c) => [c.month, c.as_of, c.days_actual, c.days_in_month])).toEqual([
      ["2026-06", "2026-06-29", 29, 30],
      ["2026-06", "2026-06-29", 29, 30],
    ]);
    for (const c of current) {
      expect(Number(c.projected)).toBeCloseTo(Number(c.actual_to_date) + Number(c.forecast_rest), 1);
      expect(Number(c.lower_95)).toBeLessThanOrEqual(Number(c.projected));
      expect(Number(c.upper_95)).toBeGreaterThanOrEqual(Number(c.projected));
    }
    const past = await warehouse.all<{ month: string; as_of: string }>(
      "select distinct month, as_of::varchar as as_of from ml.month_end_backtest order by month",
    );
    expect(past).toEqual([{ month: "2026-05", as_of: "2026-05-14" }]);
  });

  it("records the run: model, parameters, data window, metrics and duration", async () => {
    const runs = await warehouse.all<Record<string, unknown>>(
      "select model, parameters::varchar as parameters, seed, data_start::varchar as data_start, data_end::varchar as data_end, metrics::varchar as metrics, duration_seconds from ml.model_runs where job = 'forecast'",
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ seed: 42, data_start: "2026-03-02", data_end: "2026-06-29" });
    expect(String(runs[0]!.model)).toMatch(/SARIMA\(0,1,1\)\(0,1,1\)7/);
    expect(JSON.parse(String(runs[0]!.parameters))).toMatchObject({
      horizons: [30, 90],
      intervals: [80, 95],
    });
    expect(JSON.parse(String(runs[0]!.metrics))).toMatchObject({
      backtest_scopes: expect.any(Number),
      mape: expect.any(Number),
    });
    expect(Number(runs[0]!.duration_seconds)).toBeGreaterThan(0);
  });

  it("gives the same forecasts on a second run (the tables are rebuilt whole)", async () => {
    const before = await fingerprint();
    await run(warehouse, config, quiet);
    expect(await fingerprint()).toBe(before);
    const [runs] = await warehouse.all<{ n: number }>("select count(*)::integer as n from ml.model_runs");
    expect(runs!.n).toBe(2);
  });

  it("is scored against the three targets", async () => {
    const e = await evaluate(warehouse, config, undefined);
    expect(e.checks.map((c) => c.target)).toEqual(["<= 5%", ">= 20% lower", "90-98%"]);
    for (const c of e.checks) expect(c.value).toEqual(expect.any(Number));
    expect(e.table).toMatch(/total USD/);
    // The hand-made series beat seasonal naive on this estate (Lambda's trend and noise).
    expect(e.checks[1]!.value!).toBeGreaterThan(0);
  });
});
