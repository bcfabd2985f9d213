/**
 * ml.cost_anomalies across runs. A detection that overlaps a stored anomaly of the same scope
 * and currency is that anomaly: it keeps its id, its status and who set it, and gets the new
 * dates, costs and root cause (a run with a few more days of data may move its edges). A new
 * one gets md5(scope type, scope, currency, start date) and status open. A stored anomaly no
 * detection matches any more is deleted when it was still open and lies inside the days this
 * run examined; one a user acknowledged or marked expected is kept, as is anything older.
 */
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lit } from "../../core/sql.ts";
import { eventIds } from "./events.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export interface AnomalyRow {
  scope_type: string;
  scope: string;
  provider: string | null;
  billing_account_id: string | null;
  sub_account_id: string | null;
  service_name: string | null;
  region: string | null;
  currency: string;
  start_date: string;
  end_date: string;
  expected_cost: string;
  actual_cost: string;
  impact: string;
  impact_pct: number | null;
  root_cause: unknown[];
}

interface Stored {
  anomaly_id: string;
  scope_type: string;
  scope: string;
  currency: string;
  start_date: string;
  end_date: string;
  status: string;
}

export interface StoreResult {
  inserted: number;
  updated: number;
  removed: number;
  /** The id each detection was stored under, and its event's, in the order given. */
  ids: string[];
  events: string[];
}

export function newAnomalyId(
  r: Pick<AnomalyRow, "scope_type" | "scope" | "currency" | "start_date">,
): string {
  return createHash("md5").update([r.scope_type, r.scope, r.currency, r.start_date].join("|")).digest("hex");
}

/**
 * Stores `detected` (every anomaly of this run). `examined` gives, per scope key
 * (scope type|scope|currency), the first day this run could judge.
 */
export async function storeAnomalies(
  warehouse: Warehouse,
  cacheDir: string,
  detected: AnomalyRow[],
  examined: Map<string, string>,
): Promise<StoreResult> {
  await ensureColumns(warehouse);
  const stored = await warehouse.all<Stored>(
    `select anomaly_id, scope_type, scope, currency, start_date::varchar as start_date, end_date::varchar as end_date, status
     from ml.cost_anomalies`,
  );
  const keyOf = (r: { scope_type: string; scope: string; currency: string }) =>
    `${r.scope_type}|${r.scope}|${r.currency}`;
  const byScope = new Map<string, Stored[]>();
  for (const s of stored) {
    const list = byScope.get(keyOf(s)) ?? [];
    list.push(s);
    byScope.set(keyOf(s), list);
  }
  const used = new Set<string>();
  const ids = detected.map((d) => {
    const overlapping = (byScope.get(keyOf(d)) ?? [])
      .filter((s) => !used.has(s.anomaly_id) && s.start_date <= d.end_date && s.end_date >= d.start_date)
      // A user's word matters most: keep the id they acknowledged.
      .sort(
        (a, b) =>
          Number(a.status === "open") - Number(b.status === "open") ||
          a.start_date.localeCompare(b.start_date),
      );
    let id = overlapping[0]?.anomaly_id ?? newAnomalyId(d);
    if (used.has(id)) id = createHash("md5").update(`${id}|${d.end_date}`).digest("hex");
    used.add(id);
    return id;
  });
  const events = eventIds(detected, ids);
  const storedIds = new Set(stored.map((s) => s.anomaly_id));
  const stale = stored.filter((s) => {
    if (used.has(s.anomaly_id) || s.status !== "open") return false;
    const from = examined.get(keyOf(s));
    return from !== undefined && s.start_date >= from;
  });
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `cost-anomalies-${process.pid}.ndjson`);
  writeFileSync(
    file,
    detected
      .map((d, i) =>
        JSON.stringify({
          anomaly_id: ids[i],
          event_id: events[i],
          ...d,
          root_cause: JSON.stringify(d.root_cause),
        }),
      )
      .join("\n"),
  );
  try {
    await warehouse.transaction(async (tx) => {
      if (stale.length)
        await tx.run(
          `delete from ml.cost_anomalies where anomaly_id in (${stale.map((s) => lit(s.anomaly_id)).join(", ")})`,
        );
      if (!detected.length) return;
      await tx.run(`create or replace temp table staged_anomalies as
        select * from read_json(${lit(file)}, format = 'newline_delimited', columns = {
          anomaly_id: 'varchar', event_id: 'varchar', scope_type: 'varchar', scope: 'varchar', provider: 'varchar',
          billing_account_id: 'varchar', sub_account_id: 'varchar', service_name: 'varchar', region: 'varchar',
          currency: 'varchar', start_date: 'date', end_date: 'date', expected_cost: 'decimal(18, 2)',
          actual_cost: 'decimal(18, 2)', impact: 'decimal(18, 2)', impact_pct: 'double', root_cause: 'varchar'})`);
      // The status, who set it and when, and the first detection stay as they were.
      await tx.run(`update ml.cost_anomalies t set
          scope_type = s.scope_type, scope = s.scope, provider = s.provider, billing_account_id = s.billing_account_id,
          sub_account_id = s.sub_account_id, service_name = s.service_name, region = s.region, currency = s.currency,
          start_date = s.start_date, end_date = s.end_date, expected_cost = s.expected_cost, actual_cost = s.actual_cost,
          impact = s.impact, impact_pct = s.impact_pct, root_cause = s.root_cause::json, event_id = s.event_id,
          last_detected_at = now()
        from staged_anomalies s where t.anomaly_id = s.anomaly_id`);
      await tx.run(`insert into ml.cost_anomalies (anomaly_id, scope_type, scope, provider, billing_account_id,
          sub_account_id, service_name, region, currency, start_date, end_date, expected_cost, actual_cost, impact,
          impact_pct, root_cause, event_id, status, first_detected_at, last_detected_at)
        select anomaly_id, scope_type, scope, provider, billing_account_id, sub_account_id, service_name, region, currency,
          start_date, end_date, expected_cost, actual_cost, impact, impact_pct, root_cause::json, event_id, 'open', now(), now()
        from staged_anomalies where anomaly_id not in (select anomaly_id from ml.cost_anomalies)`);
      await tx.run("drop table staged_anomalies");
    });
  } finally {
    rmSync(file, { force: true });
  }
  const updated = ids.filter((id) => storedIds.has(id)).length;
  return { inserted: ids.length - updated, updated, removed: stale.length, ids, events };
}

/**
 * A warehouse migrated by the first spelling of migration 7 lacks the columns it gained before
 * release (sub-account, region, event); adding them is idempotent, and the table has no default
 * that DuckDB could fail to replay.
 */
async function ensureColumns(warehouse: Warehouse): Promise<void> {
  for (const column of ["sub_account_id", "region", "event_id"])
    await warehouse.run(`alter table ml.cost_anomalies add column if not exists ${column} varchar`);
}
