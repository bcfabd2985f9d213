/**
 * What each raw export says it bills, per billing period and currency, computed straight
 * from the landed raw tables (not through the models), for reconciliation tests.
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

const money = (expr: string) => `CAST(CAST(${expr} AS VARCHAR) AS DECIMAL(38, 10))`;

const RAW_BILLED: Record<string, string> = {
  aws_cur: `
    select _billing_period as period, bill_payer_account_id::varchar as account, line_item_currency_code as currency, ${money("line_item_unblended_cost")} as cost
    from raw.aws_cur2_line_items
    union all
    select _billing_period, "bill/PayerAccountId", "lineItem/CurrencyCode", ${money('"lineItem/UnblendedCost"')}
    from raw.aws_cur_legacy_line_items`,
  // Billed cost is the actual-cost dataset's; amortized-only exports are checked on EffectiveCost.
  azure_cost_details: `
    select _billing_period, coalesce(billingAccountId, SubscriptionGuid, subscriptionId),
      coalesce(billingCurrency, BillingCurrencyCode, Currency), ${money("coalesce(costInBillingCurrency, Cost, PreTaxCost)")}
    from raw.azure_actual_cost_lines`,
  gcp_billing_export: `
    select _billing_period, billing_account_id, currency, ${money("cost")} + coalesce((
      select sum(${money("c ->> 'amount'")}) from (select unnest(from_json(credits, '["json"]')) as c)), 0)
    from raw.gcp_billing_export_lines`,
  focus_export: `
    select _billing_period, BillingAccountId, BillingCurrency, ${money("BilledCost")} from raw.focus_cost_lines`,
  // The file export's Cost is before its credit (Credit1 Amount, negative): the invoice is both.
  gcp_file_export: `
    select _billing_period, "Account ID", "Currency", ${money('"Cost"')} + coalesce(${money("nullif(\"Credit1 Amount\", '')")}, 0)
    from raw.gcp_file_export_csv_lines
    union all
    select _billing_period, projectNumber::varchar, cost_currency, ${money("cost_amount")} from raw.gcp_file_export_json_lines`,
  aws_cost_explorer: `
    select _billing_period, 'cost-explorer', currency, ${money("unblended_cost")} from raw.aws_cost_explorer_daily`,
  azure_cost_management: `
    select _billing_period, scope, currency, ${money("actual_cost")} from raw.azure_cost_management_daily`,
};

export interface Total {
  dataset: string;
  period: string;
  account: string;
  currency: string;
  cost: string;
}

async function exists(w: Warehouse, table: string): Promise<boolean> {
  return w.tableExists("raw", table);
}

/** Raw billed totals per dataset, period and currency, as exact decimal strings. */
export async function rawBilledTotals(w: Warehouse): Promise<Total[]> {
  const parts: string[] = [];
  const need: Record<string, string[]> = {
    aws_cur: ["aws_cur2_line_items", "aws_cur_legacy_line_items"],
    azure_cost_details: ["azure_actual_cost_lines"],
    gcp_billing_export: ["gcp_billing_export_lines"],
    focus_export: ["focus_cost_lines"],
    gcp_file_export: ["gcp_file_export_csv_lines", "gcp_file_export_json_lines"],
    aws_cost_explorer: ["aws_cost_explorer_daily"],
    azure_cost_management: ["azure_cost_management_daily"],
  };
  for (const [dataset, sql] of Object.entries(RAW_BILLED)) {
    const tables = need[dataset]!;
    if (!(await Promise.all(tables.map((t) => exists(w, t)))).every(Boolean)) continue;
    parts.push(`select '${dataset}' as dataset, * from (${sql}) t(period, account, currency, cost)`);
  }
  return w.all<Total>(
    `select dataset, period, coalesce(account, '') as account, coalesce(currency, '') as currency, sum(cost)::decimal(38, 2)::varchar as cost
     from (${parts.join(" union all ")}) group by all having sum(cost) is not null order by all`,
  );
}

/** The mart's BilledCost per dataset, period and currency (only datasets given). */
export async function martBilledTotals(w: Warehouse, datasets: string[]): Promise<Total[]> {
  return w.all<Total>(
    `select x_SourceDataset as dataset, x_BillingPeriod as period, coalesce(BillingAccountId, '') as account,
       coalesce(BillingCurrency, '') as currency,
       sum(BilledCost)::decimal(38, 2)::varchar as cost
     from marts.focus_costs where x_SourceDataset in (${datasets.map((d) => `'${d}'`).join(", ")})
     group by all order by all`,
  );
}
