/**
 * The sandbox's bill: for each simulated day, one line per resource and size it was billed at,
 * from its history (a VM bills the hours it ran at each size's price, a disk, snapshot or bucket
 * its GB-months while it existed, an address the hours it existed), in the estate generator's
 * provider-neutral `li` table. The generator's own writers then project it into each export's
 * format, so the sandbox never has a billing writer of its own.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { lit } from "../../../core/sql.ts";
import type { Profiles } from "./metrics.ts";
import { metricsFor } from "./metrics.ts";
import type { SandboxSettings } from "../../../core/sandbox-settings.ts";
import type { SandboxResource, SandboxState } from "./state.ts";

const DAY_MS = 86_400_000;

interface LineRow {
  export: string;
  provider: string;
  billing_account_id: string;
  sub_account_id: string;
  sub_account_name: string | null;
  currency: string;
  day: string;
  line_kind: "usage" | "covered_usage";
  resource_kind: string;
  resource_id: string;
  resource_name: string | null;
  region: string;
  zone: string | null;
  size: string;
  vcpu: number;
  size_gb: number;
  unit: string;
  usage_amount: string;
  unit_price: string;
  commitment_id: string | null;
  commitment_type: string | null;
  commitment_rate: string | null;
  tags: Record<string, string>;
  attached_to: string | null;
}

/** The days from `first` to `last` (YYYY-MM-DD, inclusive). */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Hours of day `day` the resource spent in each (size, price) while billable. */
function billedHours(
  resource: SandboxResource,
  day: string,
): { size: string; price: string; hours: number; attached: string | null }[] {
  const start = Date.parse(`${day}T00:00:00Z`);
  const end = start + DAY_MS;
  const spans = new Map<string, { size: string; price: string; hours: number; attached: string | null }>();
  resource.history.forEach((revision, i) => {
    const from = Math.max(start, Date.parse(revision.at));
    const to = Math.min(end, i + 1 < resource.history.length ? Date.parse(resource.history[i + 1]!.at) : end);
    if (to <= from || !revision.exists) return;
    // A stopped VM bills no compute; everything else bills while it exists.
    if (resource.kind === "vm" && revision.status !== "running") return;
    const key = `${revision.size}|${revision.unitPrice}`;
    const span = spans.get(key) ?? {
      size: revision.size,
      price: revision.unitPrice,
      hours: 0,
      attached: revision.attachedTo[0] ?? null,
    };
    span.hours += (to - from) / 3_600_000;
    spans.set(key, span);
  });
  return [...spans.values()];
}

/** CUR 2.0 resource tags arrive as user_<key> (and aws_<key>): the writer adds those prefixes back. */
function exportTags(resource: SandboxResource): Record<string, string> {
  if (resource.billing.export !== "aws_cur2") return resource.tags;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(resource.tags)) {
    if (key.startsWith("user_")) tags[key.slice(5)] = value;
    else if (key.startsWith("aws_")) tags[`aws:${key.slice(4)}`] = value;
    else tags[key] = value;
  }
  return tags;
}

export function lineRows(state: SandboxState, days: string[]): LineRow[] {
  const rows: LineRow[] = [];
  for (const resource of Object.values(state.resources)) {
    const { billing } = resource;
    if (!billing.export) continue;
    for (const day of days) {
      const daysInMonth = new Date(
        Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0),
      ).getUTCDate();
      for (const span of billedHours(resource, day)) {
        const hourly = billing.unit === "Hrs";
        const usage = hourly ? span.hours : ((resource.sizeGb ?? 0) * span.hours) / 24 / daysInMonth;
        // A commitment keeps covering the VM while it runs at the size it covered.
        const covered =
          resource.kind === "vm" && billing.commitmentId !== null && span.size === resource.baselineSize;
        rows.push({
          export: billing.export,
          provider: resource.provider,
          billing_account_id: billing.billingAccountId,
          sub_account_id: resource.account,
          sub_account_name: billing.subAccountName,
          currency: billing.currency,
          day,
          line_kind: covered ? "covered_usage" : "usage",
          resource_kind: resource.kind,
          resource_id: resource.resourceId,
          resource_name: billing.resourceName,
          region: resource.region,
          zone: billing.zone,
          size: span.size,
          vcpu: state.catalogue.vmSizes[`${resource.provider}|${span.size}`]?.vcpu ?? 0,
          size_gb: resource.sizeGb ?? 0,
          unit: billing.unit,
          usage_amount: usage.toFixed(10),
          unit_price: span.price,
          commitment_id: covered ? billing.commitmentId : null,
          commitment_type: covered ? billing.commitmentType : null,
          commitment_rate: covered ? billing.commitmentRate : null,
          tags: exportTags(resource),
          attached_to: resource.kind === "ip" ? span.attached : null,
        });
      }
    }
  }
  return rows;
}

/** Load the days' lines into `li` (the generator's columns) and `commitments` for the writers. */
export async function buildLineTable(
  con: DuckDBConnection,
  state: SandboxState,
  days: string[],
  commitments: { commitment_id: string; start_date: string; term_months: number }[],
  tmpDir: string,
): Promise<void> {
  const file = path.join(tmpDir, "lines.ndjson");
  writeFileSync(
    file,
    lineRows(state, days)
      .map((r) => JSON.stringify(r))
      .join("\n"),
  );
  await con.run(`CREATE OR REPLACE TABLE li AS
    WITH raw AS (
      SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited', columns = {
        export: 'VARCHAR', provider: 'VARCHAR', billing_account_id: 'VARCHAR', sub_account_id: 'VARCHAR', sub_account_name: 'VARCHAR',
        currency: 'VARCHAR', day: 'DATE', line_kind: 'VARCHAR', resource_kind: 'VARCHAR', resource_id: 'VARCHAR',
        resource_name: 'VARCHAR', region: 'VARCHAR', zone: 'VARCHAR', size: 'VARCHAR', vcpu: 'INTEGER', size_gb: 'INTEGER',
        unit: 'VARCHAR', usage_amount: 'DECIMAL(38,10)', unit_price: 'DECIMAL(18,6)', commitment_id: 'VARCHAR',
        commitment_type: 'VARCHAR', commitment_rate: 'DECIMAL(18,6)', tags: 'JSON', attached_to: 'VARCHAR'})
    )
    SELECT md5(concat_ws('|', 'sandbox', ${state.seed}, export, sub_account_id, day, line_kind, resource_id, size)) AS line_id,
      export, provider, billing_account_id, sub_account_id, sub_account_name, currency, day,
      (day - DATE ${lit(state.startedAt.slice(0, 10))})::INTEGER AS day_idx, line_kind, resource_kind, resource_id, resource_name,
      region, zone, size, vcpu, size_gb, unit, usage_amount, unit_price,
      round(usage_amount * unit_price, 10) AS list_cost,
      CASE WHEN line_kind = 'covered_usage' THEN round(usage_amount * commitment_rate, 10) ELSE round(usage_amount * unit_price, 10) END AS effective_cost,
      commitment_id, commitment_type, commitment_rate, tags, attached_to,
      NULL::VARCHAR AS service, NULL::VARCHAR AS description, NULL::DECIMAL(38,10) AS amount, strftime(day, '%Y-%m') AS billing_month
    FROM raw ORDER BY export, day, sub_account_id, line_kind, resource_id, size`);
  await con.run(
    `CREATE OR REPLACE TABLE commitments (commitment_id VARCHAR, start_date DATE, term_months INTEGER)`,
  );
  for (const c of commitments) {
    await con.run(
      `INSERT INTO commitments VALUES (${lit(c.commitment_id)}, ${lit(c.start_date)}, ${c.term_months})`,
    );
  }
}

/** Hourly metrics of every VM over the days, in the generator's `metrics` table for its writer. */
export async function buildMetricsTable(
  con: DuckDBConnection,
  state: SandboxState,
  settings: SandboxSettings,
  profiles: Profiles,
  days: string[],
  tmpDir: string,
): Promise<void> {
  const since = new Date(`${days[0]}T00:00:00Z`);
  const until = new Date(Date.parse(`${days.at(-1)}T00:00:00Z`) + DAY_MS);
  const lines: string[] = [];
  for (const resource of Object.values(state.resources)) {
    if (resource.kind !== "vm") continue;
    const vcpu = state.catalogue.vmSizes[`${resource.provider}|${resource.size}`]?.vcpu ?? 2;
    for (const s of metricsFor(state, settings, profiles, resource, since, until)) {
      lines.push(
        JSON.stringify({
          provider: resource.provider,
          resource_id: resource.resourceId,
          timestamp: s.hour,
          cpu_avg_pct: s.cpuPct,
          cpu_max_pct: Math.min(100, Math.round((s.cpuPct * 1.25 + 2) * 100) / 100),
          memory_avg_pct: s.memoryPct ?? null,
          memory_max_pct:
            s.memoryPct === undefined ? null : Math.min(100, Math.round((s.memoryPct * 1.1 + 3) * 100) / 100),
          // Network and disk scale with size and load, as the generator's do.
          network_in_bytes: Math.round(vcpu * (2e7 + 4e6 * s.cpuPct)),
          network_out_bytes: Math.round(vcpu * (1e7 + 3e6 * s.cpuPct)),
          disk_read_bytes: Math.round(vcpu * 1e6 * s.cpuPct),
          disk_write_bytes: Math.round(vcpu * 2e6 * s.cpuPct),
        }),
      );
    }
  }
  const file = path.join(tmpDir, "metrics.ndjson");
  writeFileSync(file, lines.join("\n"));
  await con.run(`CREATE OR REPLACE TABLE metrics AS SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited', columns = {
    provider: 'VARCHAR', resource_id: 'VARCHAR', timestamp: 'TIMESTAMP', cpu_avg_pct: 'DOUBLE', cpu_max_pct: 'DOUBLE',
    memory_avg_pct: 'DOUBLE', memory_max_pct: 'DOUBLE', network_in_bytes: 'BIGINT', network_out_bytes: 'BIGINT',
    disk_read_bytes: 'BIGINT', disk_write_bytes: 'BIGINT'})`);
}
