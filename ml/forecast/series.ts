/**
 * Daily cost series per scope and currency, read from marts.cost_daily: the amortized cost
 * (EffectiveCost) of usage charges, which the models forecast, and beside it the one-off
 * charges (purchases, tax, credits, adjustments), which no time-series model can predict and
 * which are reported, not forecast. Scopes: total, provider, service and billing account,
 * plus the largest sub-accounts and regions by their share of their currency's spend.
 * Never added across currencies: every series is one currency.
 */
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export type ScopeType = "total" | "provider" | "service" | "billing_account" | "sub_account" | "region";

export interface Scope {
  scopeType: ScopeType;
  /** total, aws, aws/AWS Lambda, aws/<billing account>, aws/<sub-account>, aws/us-east-1. */
  scope: string;
  currency: string;
  provider: string | null;
  billingAccountId: string | null;
  subAccountId: string | null;
  serviceName: string | null;
  region: string | null;
}

export interface Series extends Scope {
  /** Usage cost per day of the window (0 where none was billed). */
  usage: number[];
  /** One-off charges per day of the window. */
  oneOff: number[];
}

export interface SeriesSet {
  /** Every day from the first to the last charge date in the marts, YYYY-MM-DD. */
  dates: string[];
  series: Series[];
}

interface Row {
  currency: string;
  day: string;
  provider: string | null;
  service_name: string | null;
  billing_account_id: string | null;
  sub_account_id: string | null;
  region: string | null;
  scope_type: ScopeType;
  usage: number | null;
  one_off: number | null;
}

const KEYS: Record<ScopeType, string[]> = {
  total: [],
  provider: ["provider"],
  service: ["provider", "service_name"],
  billing_account: ["provider", "billing_account_id"],
  sub_account: ["provider", "sub_account_id"],
  region: ["provider", "region"],
};

/**
 * Reads every scope's series; `topOthers` sub-accounts and regions join the fixed scope types.
 * The window ends on the last day every provider still billing has billed: exports lag by
 * different days (Azure's and GCP's by a day or two), and a day one provider has not delivered
 * yet would look like a drop in every total. A provider silent for over a week has stopped.
 */
export async function readSeries(warehouse: Warehouse, topOthers: number): Promise<SeriesSet> {
  const [window] = await warehouse.all<{ first: string | null; last: string | null }>(`
    with ends as (select provider, max(charge_date) as last from marts.cost_daily group by provider)
    select (select min(charge_date) from marts.cost_daily)::varchar as first,
      (select min(last) from ends where last >= (select max(last) from ends) - 7)::varchar as last`);
  if (!window?.first || !window.last) return { dates: [], series: [] };
  const dates = daysBetween(window.first, window.last);
  const index = new Map(dates.map((d, i) => [d, i]));
  const sets = (Object.keys(KEYS) as ScopeType[]).map(
    (t) => `(${["currency", "charge_date", ...KEYS[t]].join(", ")})`,
  );
  const scopeType = (Object.keys(KEYS) as ScopeType[])
    .map((t) => {
      const all = ["provider", "service_name", "billing_account_id", "sub_account_id", "region"];
      const absent = all.filter((k) => !KEYS[t].includes(k));
      return `when ${[...KEYS[t].map((k) => `grouping(${k}) = 0`), ...absent.map((k) => `grouping(${k}) = 1`)].join(" and ")} then '${t}'`;
    })
    .join(" ");
  const rows = await warehouse.all<Row>(`
    select currency, charge_date::varchar as day, provider, service_name, billing_account_id, sub_account_id, region,
      case ${scopeType} end as scope_type,
      (sum(effective_cost) filter (where charge_category = 'Usage'))::double as usage,
      (sum(effective_cost) filter (where charge_category <> 'Usage'))::double as one_off
    from marts.cost_daily
    where currency is not null and charge_date <= ${lit(window.last)}::date
    group by grouping sets (${sets.join(", ")})`);
  const byKey = new Map<string, Series>();
  for (const row of rows) {
    const scope = scopeOf(row);
    if (!scope) continue;
    const key = `${scope.scopeType}|${scope.scope}|${scope.currency}`;
    let series = byKey.get(key);
    if (!series) {
      series = { ...scope, usage: dates.map(() => 0), oneOff: dates.map(() => 0) };
      byKey.set(key, series);
    }
    const i = index.get(row.day)!;
    series.usage[i]! += row.usage ?? 0;
    series.oneOff[i]! += row.one_off ?? 0;
  }
  return { dates, series: chooseScopes([...byKey.values()], topOthers) };
}

function scopeOf(row: Row): Scope | null {
  const base = {
    currency: row.currency,
    provider: row.provider,
    billingAccountId: row.billing_account_id,
    subAccountId: row.sub_account_id,
    serviceName: row.service_name,
    region: row.region,
  };
  const p = row.provider ?? "(no provider)";
  switch (row.scope_type) {
    case "total":
      return { ...base, scopeType: "total", scope: "total" };
    case "provider":
      return { ...base, scopeType: "provider", scope: p };
    case "service":
      return { ...base, scopeType: "service", scope: `${p}/${row.service_name ?? "(no service)"}` };
    case "billing_account":
      return row.billing_account_id
        ? { ...base, scopeType: "billing_account", scope: `${p}/${row.billing_account_id}` }
        : null;
    // Charges without a sub-account or region (tax, commitments) belong to no such scope.
    case "sub_account":
      return row.sub_account_id
        ? { ...base, scopeType: "sub_account", scope: `${p}/${row.sub_account_id}` }
        : null;
    case "region":
      return row.region ? { ...base, scopeType: "region", scope: `${p}/${row.region}` } : null;
    default:
      return null;
  }
}

/**
 * Every total, provider, service and billing-account series, and the `topOthers` sub-accounts
 * and regions with the largest share of their currency's usage spend; one whose series repeats
 * a scope already kept (a provider's only region, say) adds nothing and is left out.
 */
export function chooseScopes(all: Series[], topOthers: number): Series[] {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const fixed = all.filter((s) => s.scopeType !== "sub_account" && s.scopeType !== "region");
  const totals = new Map(all.filter((s) => s.scopeType === "total").map((s) => [s.currency, sum(s.usage)]));
  const shape = (s: Series) => `${s.currency}|${s.usage.map((v) => v.toFixed(2)).join(",")}`;
  const seen = new Set(fixed.map(shape));
  const others = all
    .filter((s) => s.scopeType === "sub_account" || s.scopeType === "region")
    .map((s) => ({ s, share: sum(s.usage) / (totals.get(s.currency) || 1) }))
    .sort((a, b) => b.share - a.share || a.s.scope.localeCompare(b.s.scope));
  const kept: Series[] = [];
  for (const { s } of others) {
    if (kept.length >= topOthers) break;
    if (seen.has(shape(s))) continue;
    seen.add(shape(s));
    kept.push(s);
  }
  const order: ScopeType[] = ["total", "provider", "service", "billing_account", "sub_account", "region"];
  return [...fixed, ...kept].sort(
    (a, b) =>
      order.indexOf(a.scopeType) - order.indexOf(b.scopeType) ||
      a.scope.localeCompare(b.scope) ||
      a.currency.localeCompare(b.currency),
  );
}

export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (
    let d = new Date(`${first}T00:00:00Z`);
    d <= new Date(`${last}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1)
  )
    out.push(d.toISOString().slice(0, 10));
  return out;
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
