/**
 * Root cause of each anomaly, from marts.focus_costs: within the anomaly's scope and currency,
 * for each dimension (billing account, account, service, region, usage type = SkuMeter,
 * resource) the values whose usage cost moved most against their own expectation: the median
 * of the same weekday over the four weeks before (robust to an earlier anomaly and to one
 * missing week). A value's share is its part of the dimension's whole deviation over the
 * anomaly's days; the top three of each dimension are kept.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export const DIMENSIONS = [
  "billing_account",
  "account",
  "service",
  "region",
  "usage_type",
  "resource",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const COLUMN: Record<Dimension, string> = {
  billing_account: "BillingAccountId",
  account: "SubAccountId",
  service: "ServiceName",
  region: "RegionId",
  usage_type: "SkuMeter",
  resource: "ResourceId",
};

/** What a charge with no value in the dimension (no resource, no meter) is listed as. */
export const NONE = "(none)";

export interface Contributor {
  dimension: Dimension;
  value: string;
  actual: number;
  expected: number;
  impact: number;
  /** Part of the dimension's whole deviation (the shares of a dimension add up to 1); null without one. */
  share: number | null;
}

export interface CauseQuery {
  key: string;
  currency: string;
  provider: string | null;
  billing_account_id: string | null;
  sub_account_id: string | null;
  service_name: string | null;
  region: string | null;
  start_date: string;
  end_date: string;
}

const WEEKS_BEFORE = 4;
const TOP = 3;

/** Top contributors per dimension of every anomaly, by the anomaly's key. */
export async function rootCauses(
  warehouse: Warehouse,
  cacheDir: string,
  anomalies: CauseQuery[],
): Promise<Map<string, Contributor[]>> {
  const out = new Map<string, Contributor[]>();
  if (!anomalies.length) return out;
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `anomaly-causes-${process.pid}.ndjson`);
  writeFileSync(file, anomalies.map((a) => JSON.stringify(a)).join("\n"));
  const sets = DIMENSIONS.map((d) => `(key, day, k, ${COLUMN[d]})`).join(", ");
  const dimension = DIMENSIONS.map((d) => `when grouping(${COLUMN[d]}) = 0 then '${d}'`).join(" ");
  const value = `coalesce(${DIMENSIONS.map((d) => COLUMN[d]).join(", ")}, ${lit(NONE)})`;
  try {
    const rows = await warehouse.all<Contributor & { key: string }>(`
      with a as (
        select * from read_json(${lit(file)}, format = 'newline_delimited', columns = {
          key: 'varchar', currency: 'varchar', provider: 'varchar', billing_account_id: 'varchar',
          sub_account_id: 'varchar', service_name: 'varchar', region: 'varchar', start_date: 'date', end_date: 'date'})
      ),
      days as (
        select key, unnest(generate_series(start_date::timestamp, end_date::timestamp, interval 1 day))::date as day from a
      ),
      lags as (select key, day, k::integer as k, (day - 7 * k::integer)::date as src from days, range(0, ${WEEKS_BEFORE + 1}) t(k)),
      charges as (
        select l.key, l.day, l.k, f.BillingAccountId, f.SubAccountId, f.ServiceName, f.RegionId, f.SkuMeter, f.ResourceId,
          f.EffectiveCost
        from lags l join a using (key)
        join marts.focus_costs f on f.x_ChargeDate = l.src and f.BillingCurrency = a.currency
        where f.ChargeCategory = 'Usage'
          and (a.provider is null or f.x_Provider = a.provider)
          and (a.billing_account_id is null or f.BillingAccountId = a.billing_account_id)
          and (a.sub_account_id is null or f.SubAccountId = a.sub_account_id)
          and (a.service_name is null or f.ServiceName = a.service_name)
          and (a.region is null or f.RegionId = a.region)
      ),
      by_value as (
        select key, day, k, case ${dimension} end as dimension, ${value} as value, sum(EffectiveCost)::double as cost
        from charges group by grouping sets (${sets})
      ),
      per_day as (
        select key, dimension, value, day,
          coalesce(sum(cost) filter (where k = 0), 0) as actual,
          -- A week without the value is a week at 0: pad to four before the median.
          list_aggregate(list_resize(coalesce(list(cost) filter (where k > 0), []::double[]), ${WEEKS_BEFORE}, 0::double), 'median') as expected
        from by_value group by all
      ),
      scored as (
        select key, dimension, value, sum(actual) as actual, sum(expected) as expected, sum(actual) - sum(expected) as impact
        from per_day group by all
      )
      select key, dimension, value, actual, expected, impact,
        impact / nullif(sum(impact) over (partition by key, dimension), 0) as share
      from scored
      qualify row_number() over (partition by key, dimension order by impact desc, value) <= ${TOP}
      order by key, dimension, impact desc, value`);
    for (const { key, ...c } of rows) {
      const list = out.get(key) ?? [];
      out.set(key, list);
      list.push({ ...c, share: c.share === null ? null : Number(c.share) });
    }
  } finally {
    rmSync(file, { force: true });
  }
  for (const list of out.values())
    list.sort(
      (a, b) => DIMENSIONS.indexOf(a.dimension) - DIMENSIONS.indexOf(b.dimension) || b.impact - a.impact,
    );
  return out;
}
