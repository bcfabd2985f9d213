/**
 * One measured models run in a fresh process, printing JSON with wall time and peak RSS:
 *   build <warehouse> full|incremental   `cco models build` (with tests), full refresh or incremental
 *   floor <warehouse> [billing period]    one hand-written SQL statement mapping the raw CUR 2.0
 *                                         table to FOCUS's core columns (what the models do for AWS)
 *   unfloor <warehouse>                   drop the floor's table, so that the next floor run does
 *                                         not pay for dropping the last one's
 */
import path from "node:path";
import { createProgress } from "../core/log.ts";
import { buildProject } from "../core/dbt/runner.ts";
import { Warehouse } from "../core/warehouse/warehouse.ts";

const [mode, warehousePath, arg] = process.argv.slice(2);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const t0 = performance.now();
const warehouse = await Warehouse.open({ path: warehousePath!, memoryLimit: "3GB", threads: 2 });
let extra: Record<string, unknown> = {};
if (mode === "build") {
  const { results, failed } = await buildProject(
    warehouse,
    root,
    {
      runModels: true,
      runTests: true,
      fullRefresh: arg === "full",
      externalRoot: path.join(path.dirname(warehousePath!), "marts"),
    },
    createProgress({ quiet: true }),
  );
  const slowest = results
    .filter((r) => r.unique_id.startsWith("model."))
    .sort((a, b) => b.execution_time - a.execution_time)
    .slice(0, 4)
    .map((r) => `${r.unique_id.replace("model.cco.", "")} ${r.execution_time.toFixed(1)} s`);
  extra = { failed, slowest };
} else if (mode === "unfloor") {
  await warehouse.run("DROP TABLE IF EXISTS main.bench_floor");
} else {
  // Exact, as the models' money() macro: small doubles cast directly, large ones through text.
  const money = (c: string) =>
    `CASE WHEN abs(${c}) < 100000 THEN CAST(${c} AS DECIMAL(38, 10)) ELSE CAST(CAST(${c} AS VARCHAR) AS DECIMAL(38, 10)) END`;
  await warehouse.run(`CREATE OR REPLACE TABLE main.bench_floor AS
    SELECT
      bill_payer_account_id::VARCHAR AS BillingAccountId,
      line_item_usage_account_id::VARCHAR AS SubAccountId,
      _billing_period AS x_BillingPeriod,
      CASE WHEN line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation') THEN 'Usage'
           WHEN line_item_line_item_type IN ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') THEN 'Purchase'
           WHEN line_item_line_item_type = 'Tax' THEN 'Tax' ELSE 'Credit' END AS ChargeCategory,
      line_item_usage_start_date::TIMESTAMP AS ChargePeriodStart,
      line_item_usage_end_date::TIMESTAMP AS ChargePeriodEnd,
      product_product_name AS ServiceName,
      product_region_code AS RegionId,
      NULLIF(line_item_resource_id, '') AS ResourceId,
      line_item_currency_code AS BillingCurrency,
      ${money("line_item_unblended_cost")} AS BilledCost,
      CASE line_item_line_item_type
        WHEN 'SavingsPlanCoveredUsage' THEN ${money("savings_plan_savings_plan_effective_cost")}
        WHEN 'DiscountedUsage' THEN ${money("reservation_effective_cost")}
        WHEN 'SavingsPlanNegation' THEN 0 ELSE ${money("line_item_unblended_cost")} END AS EffectiveCost,
      ${money("pricing_public_on_demand_cost")} AS ListCost,
      ${money("line_item_usage_amount")} AS PricingQuantity,
      pricing_unit AS PricingUnit,
      resource_tags::JSON AS Tags
    FROM raw.aws_cur2_line_items
    ${arg ? `WHERE _billing_period = '${arg}'` : ""}`);
}
await warehouse.close();
process.stdout.write(
  `${JSON.stringify({
    seconds: (performance.now() - t0) / 1000,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    ...extra,
  })}\n`,
);
