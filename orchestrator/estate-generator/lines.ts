/**
 * Turns the estate into provider-neutral daily line items in an in-memory
 * DuckDB (table `li`) and hourly utilization (table `metrics`). The writers then
 * project these into each provider's export format. Random noise in SQL comes
 * from hash() of (seed, resource, hour), so the output depends on the seed only.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { lit } from "../../core/sql.ts";
import { AWS_S3 } from "./catalog.ts";
import type { Estate } from "./estate.ts";

const RESOURCE_COLUMNS = `{
  idx: 'INTEGER', export: 'VARCHAR', provider: 'VARCHAR', billing_account_id: 'VARCHAR', sub_account_id: 'VARCHAR',
  sub_account_name: 'VARCHAR', env: 'VARCHAR', currency: 'VARCHAR', kind: 'VARCHAR', resource_id: 'VARCHAR',
  resource_name: 'VARCHAR', region: 'VARCHAR', zone: 'VARCHAR', size: 'VARCHAR', vcpu: 'INTEGER', size_gb: 'INTEGER',
  unit: 'VARCHAR', unit_price: 'DECIMAL(18,6)', profile: 'VARCHAR', memory_agent: 'BOOLEAN', tags: 'JSON',
  start_day: 'INTEGER', end_day: 'INTEGER', commitment_id: 'VARCHAR', commitment_rate: 'DECIMAL(18,6)',
  covered_from_day: 'INTEGER', attached_to: 'VARCHAR', created_at: 'DATE', schedule: 'VARCHAR', planted_case: 'VARCHAR'
}`;

async function loadJsonTable(
  con: DuckDBConnection,
  dir: string,
  name: string,
  rows: object[],
  columns: string,
): Promise<void> {
  const file = path.join(dir, `${name}.ndjson`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
  await con.run(
    `CREATE OR REPLACE TABLE ${name} AS SELECT * FROM read_json('${file}', format='newline_delimited', columns=${columns})`,
  );
}

export async function buildLines(con: DuckDBConnection, estate: Estate, tmpDir: string): Promise<void> {
  const { seed, days } = estate.options;
  await loadJsonTable(
    con,
    tmpDir,
    "resources",
    estate.resources.map((r) => ({
      idx: r.idx,
      export: r.export,
      provider: r.provider,
      billing_account_id: r.billingAccountId,
      sub_account_id: r.subAccountId,
      sub_account_name: r.subAccountName,
      env: r.env,
      currency: r.currency,
      kind: r.kind,
      resource_id: r.resourceId,
      resource_name: r.resourceName,
      region: r.region,
      zone: r.zone,
      size: r.size,
      vcpu: r.vcpu,
      size_gb: r.sizeGb,
      unit: r.unit,
      unit_price: r.unitPrice,
      profile: r.profile,
      memory_agent: r.memoryAgent,
      tags: r.tags,
      start_day: r.startDay,
      end_day: r.endDay,
      commitment_id: r.commitmentId,
      commitment_rate: r.commitmentRate,
      covered_from_day: r.coveredFromDay,
      attached_to: r.attachedTo,
      created_at: r.createdAt,
      schedule: r.schedule,
      planted_case: r.case,
    })),
    RESOURCE_COLUMNS,
  );
  await loadJsonTable(
    con,
    tmpDir,
    "commitments",
    estate.commitments.map((c) => ({
      commitment_id: c.id,
      export: c.export,
      provider: c.provider,
      billing_account_id: c.billingAccountId,
      sub_account_id: c.subAccountId,
      type: c.type,
      hourly: c.hourlyCommitment,
      upfront: c.upfront,
      term_months: c.termMonths,
      start_date: c.startDate,
      purchase_day: c.purchaseDay,
      currency: c.currency,
    })),
    `{commitment_id: 'VARCHAR', export: 'VARCHAR', provider: 'VARCHAR', billing_account_id: 'VARCHAR', sub_account_id: 'VARCHAR',
      type: 'VARCHAR', hourly: 'DECIMAL(18,6)', upfront: 'DECIMAL(18,2)', term_months: 'INTEGER', start_date: 'DATE',
      purchase_day: 'INTEGER', currency: 'VARCHAR'}`,
  );
  await loadJsonTable(
    con,
    tmpDir,
    "streams",
    estate.streams.flatMap((s) =>
      s.quantities.map((q, day) => ({
        export: s.export,
        provider: s.provider,
        billing_account_id: s.billingAccountId,
        sub_account_id: s.subAccountId,
        sub_account_name: s.subAccountName,
        currency: s.currency,
        service: s.service,
        region: s.region,
        resource_id: s.resourceId,
        unit_price: s.unitPrice,
        day_idx: day,
        quantity: q,
      })),
    ),
    `{export: 'VARCHAR', provider: 'VARCHAR', billing_account_id: 'VARCHAR', sub_account_id: 'VARCHAR', sub_account_name: 'VARCHAR',
      currency: 'VARCHAR', service: 'VARCHAR', region: 'VARCHAR', resource_id: 'VARCHAR', unit_price: 'DECIMAL(18,6)', day_idx: 'INTEGER', quantity: 'DECIMAL(18,6)'}`,
  );
  await loadJsonTable(
    con,
    tmpDir,
    "oneoffs",
    estate.oneOffs.map((o) => ({
      export: o.export,
      billing_account_id: o.billingAccountId,
      sub_account_id: o.subAccountId,
      sub_account_name: o.subAccountName,
      day_idx: o.day,
      kind: o.kind,
      amount: o.amount,
      currency: o.currency,
      description: o.description,
    })),
    `{export: 'VARCHAR', billing_account_id: 'VARCHAR', sub_account_id: 'VARCHAR', sub_account_name: 'VARCHAR', day_idx: 'INTEGER',
      kind: 'VARCHAR', amount: 'DECIMAL(18,2)', currency: 'VARCHAR', description: 'VARCHAR'}`,
  );

  await con.run(`CREATE OR REPLACE TABLE days AS
    SELECT i::INTEGER AS day_idx, (DATE '${estate.start}' + i::INTEGER) AS day FROM range(${days}) t(i)`);

  // Resource usage: one line per resource per day; commitment coverage decides the line type.
  await con.run(`CREATE OR REPLACE TABLE li AS
    WITH base AS (
      SELECT r.*, d.day, d.day_idx,
        CASE WHEN r.unit = 'Hrs' AND r.schedule = 'business_hours'
               THEN CASE WHEN dayofweek(d.day) BETWEEN 1 AND 5 THEN 12 ELSE 0 END::DECIMAL(38,10)
             WHEN r.unit = 'Hrs' THEN 24::DECIMAL(38,10)
             ELSE round(r.size_gb::DECIMAL(38,10) / day(last_day(d.day)), 10) END AS usage_amount,
        (r.commitment_id IS NOT NULL AND d.day_idx >= r.covered_from_day) AS covered
      FROM resources r JOIN days d ON d.day_idx BETWEEN r.start_day AND r.end_day
    ), c AS (
      SELECT b.*, round(b.usage_amount * b.unit_price, 10) AS list_cost, cm.type AS commitment_type
      FROM base b LEFT JOIN commitments cm ON cm.commitment_id = b.commitment_id
      -- A scheduled VM is not billed on the days it does not run.
      WHERE b.usage_amount > 0
    )
    SELECT export, provider, billing_account_id, sub_account_id, sub_account_name, currency, day, day_idx,
      CASE WHEN covered THEN 'covered_usage' ELSE 'usage' END AS line_kind,
      kind AS resource_kind, resource_id, resource_name, region, zone, size, vcpu, size_gb, unit,
      usage_amount, unit_price, list_cost,
      CASE WHEN covered THEN round(usage_amount * commitment_rate, 10) ELSE list_cost END AS effective_cost,
      CASE WHEN covered THEN commitment_id END AS commitment_id,
      CASE WHEN covered THEN commitment_type END AS commitment_type,
      commitment_rate, tags, attached_to, NULL::VARCHAR AS service, NULL::VARCHAR AS description, NULL::DECIMAL(38,10) AS amount
    FROM c`);

  await buildS3Lines(con, estate, tmpDir);

  // Usage streams (egress, serverless, analytics) with trend, seasonality, anomalies.
  await con.run(`INSERT INTO li BY NAME
    SELECT s.export, s.provider, s.billing_account_id, s.sub_account_id, s.sub_account_name, s.currency, d.day, d.day_idx,
      'usage' AS line_kind, s.service AS resource_kind, s.resource_id, NULL AS resource_name, s.region,
      NULL AS zone, s.service AS size, 0 AS vcpu, 0 AS size_gb,
      CASE s.service WHEN 'egress' THEN 'GB' WHEN 'analytics' THEN 'TiB' ELSE 'M-Requests' END AS unit,
      s.quantity::DECIMAL(38,10) AS usage_amount, s.unit_price AS unit_price,
      round(s.quantity * s.unit_price, 10) AS list_cost, round(s.quantity * s.unit_price, 10) AS effective_cost,
      '{}'::JSON AS tags, s.service
    FROM streams s JOIN days d USING (day_idx)`);

  // Commitment fees per day: recurring part; the unused share is what covered usage leaves.
  await con.run(`INSERT INTO li BY NAME
    WITH used AS (
      SELECT commitment_id, day_idx, sum(effective_cost) AS used FROM li WHERE line_kind = 'covered_usage' GROUP BY ALL
    )
    SELECT c.export, c.provider, c.billing_account_id, c.sub_account_id,
      (SELECT any_value(sub_account_name) FROM resources r WHERE r.sub_account_id = c.sub_account_id) AS sub_account_name,
      c.currency, d.day, d.day_idx, 'commitment_fee' AS line_kind, 'commitment' AS resource_kind,
      c.commitment_id AS resource_id, c.type AS resource_name, 'global' AS region, NULL AS zone, c.type AS size,
      0 AS vcpu, 0 AS size_gb, 'Hrs' AS unit, 24::DECIMAL(38,10) AS usage_amount, c.hourly AS unit_price,
      round(c.hourly * 24, 10) AS list_cost,
      -- Amortized: the part of the day's commitment that no usage consumed.
      greatest(round(c.hourly * 24 + coalesce(c.upfront / (c.term_months * 730 / 24), 0), 10) - coalesce(u.used, 0), 0) AS effective_cost,
      c.commitment_id, c.type AS commitment_type, '{}'::JSON AS tags
    FROM commitments c JOIN days d ON d.day_idx >= coalesce(c.purchase_day, 0)
    LEFT JOIN used u ON u.commitment_id = c.commitment_id AND u.day_idx = d.day_idx`);

  // Upfront payments on their purchase day (amortized over the term, so effective 0 here).
  await con.run(`INSERT INTO li BY NAME
    SELECT c.export, c.provider, c.billing_account_id, c.sub_account_id, NULL AS sub_account_name, c.currency, d.day, d.day_idx,
      'commitment_purchase' AS line_kind, 'commitment' AS resource_kind, c.commitment_id AS resource_id, c.type AS resource_name,
      'global' AS region, c.type AS size, 1::DECIMAL(38,10) AS usage_amount, c.upfront AS unit_price,
      c.upfront::DECIMAL(38,10) AS list_cost, 0::DECIMAL(38,10) AS effective_cost, c.commitment_id, c.type AS commitment_type,
      '{}'::JSON AS tags
    FROM commitments c JOIN days d ON d.day_idx = c.purchase_day WHERE c.upfront > 0`);

  await con.run(`INSERT INTO li BY NAME
    SELECT o.export, a.provider, o.billing_account_id, o.sub_account_id, o.sub_account_name, o.currency, d.day, d.day_idx,
      o.kind AS line_kind, o.kind AS resource_kind, 'global' AS region, 'n/a' AS unit, 0::DECIMAL(38,10) AS usage_amount,
      0 AS unit_price, o.amount AS list_cost, o.amount AS effective_cost, '{}'::JSON AS tags, o.description
    FROM oneoffs o JOIN days d USING (day_idx)
    JOIN (SELECT DISTINCT export, provider FROM resources) a USING (export)`);

  // Sales tax per sub-account and month on AWS and GCP (6% of the month's billed usage).
  await con.run(`INSERT INTO li BY NAME
    SELECT export, any_value(provider) AS provider, billing_account_id, sub_account_id, any_value(sub_account_name) AS sub_account_name,
      any_value(currency) AS currency, min(day) AS day, min(day_idx) AS day_idx, 'tax' AS line_kind, 'tax' AS resource_kind,
      'global' AS region, 'n/a' AS unit, 0::DECIMAL(38,10) AS usage_amount, 0 AS unit_price,
      round(sum(CASE WHEN line_kind = 'usage' THEN list_cost ELSE 0 END) * 0.06, 2) AS list_cost,
      round(sum(CASE WHEN line_kind = 'usage' THEN list_cost ELSE 0 END) * 0.06, 2) AS effective_cost,
      '{}'::JSON AS tags, 'Sales tax' AS description
    FROM li WHERE export IN ('aws_cur2', 'aws_cur_legacy', 'gcp_bq')
    GROUP BY export, billing_account_id, sub_account_id, date_trunc('month', day)`);

  await con.run(`CREATE OR REPLACE TABLE li AS
    SELECT md5(concat_ws('|', ${seed}, export, sub_account_id, day, line_kind, coalesce(resource_id, ''), coalesce(size, ''), coalesce(description, ''))) AS line_id,
      *, strftime(day, '%Y-%m') AS billing_month
    FROM li ORDER BY export, day, sub_account_id, line_kind, resource_id, size`);

  await buildMetrics(con, estate);
}

/**
 * AWS buckets as S3 bills them (buckets.ts): the Standard line keeps the Standard share of the
 * bytes, a Standard-IA line the rest, and one line a day each for GET (Requests-Tier2) and PUT
 * (Requests-Tier1) requests, counted in requests at S3's per-request price (the CUR's unit).
 */
async function buildS3Lines(con: DuckDBConnection, estate: Estate, tmpDir: string): Promise<void> {
  const rows = estate.resources
    .filter((r) => r.s3)
    .map((r) => ({
      resource_id: r.resourceId,
      ia_share: r.s3!.iaShare,
      gets: r.s3!.getsPerDay,
      puts: r.s3!.putsPerDay,
    }));
  await loadJsonTable(
    con,
    tmpDir,
    "s3_usage",
    rows,
    `{resource_id: 'VARCHAR', ia_share: 'DECIMAL(9,4)', gets: 'BIGINT', puts: 'BIGINT'}`,
  );
  // A request costs millionths of a dollar: the rate needs more places than an hourly price.
  await con.run("ALTER TABLE li ALTER COLUMN unit_price SET DATA TYPE DECIMAL(18,10)");
  const extra = (size: string, unit: string, unitPrice: number, amount: string) => {
    const price = `${unitPrice.toFixed(10)}::DECIMAL(18,10)`;
    return `
    SELECT li.* REPLACE (
      ${lit(size)} AS size, ${lit(unit)} AS unit, (${amount})::DECIMAL(38,10) AS usage_amount, ${price} AS unit_price,
      round((${amount}) * ${price}, 10) AS list_cost, round((${amount}) * ${price}, 10) AS effective_cost)
    FROM li JOIN s3_usage s USING (resource_id)
    WHERE li.resource_kind = 'bucket' AND li.line_kind = 'usage' AND li.size = 'standard'`;
  };
  const standardIa = "round(li.size_gb::DECIMAL(38,10) / day(last_day(li.day)) * s.ia_share, 10)";
  await con.run(`INSERT INTO li BY NAME
    ${extra("standard_ia", "GB-Mo", AWS_S3.standardIaPerGbMonth, standardIa)} AND s.ia_share > 0
    UNION ALL BY NAME ${extra("requests_tier2", "Requests", AWS_S3.tier2PerRequest, "s.gets")}
    UNION ALL BY NAME ${extra("requests_tier1", "Requests", AWS_S3.tier1PerRequest, "s.puts")}`);
  // The Standard line bills what is not in Standard-IA.
  await con.run(`UPDATE li SET
      usage_amount = round(li.size_gb::DECIMAL(38,10) / day(last_day(li.day)) * (1 - s.ia_share), 10),
      list_cost = round(round(li.size_gb::DECIMAL(38,10) / day(last_day(li.day)) * (1 - s.ia_share), 10) * li.unit_price, 10),
      effective_cost = round(round(li.size_gb::DECIMAL(38,10) / day(last_day(li.day)) * (1 - s.ia_share), 10) * li.unit_price, 10)
    FROM s3_usage s
    WHERE li.resource_id = s.resource_id AND li.resource_kind = 'bucket' AND li.size = 'standard' AND s.ia_share > 0`);
}

/**
 * Hourly utilization per VM. CPU follows the resource's profile; memory only for
 * VMs with an agent; network and disk scale with CPU.
 */
async function buildMetrics(con: DuckDBConnection, estate: Estate): Promise<void> {
  const seed = estate.options.seed;
  await con.run(`CREATE OR REPLACE TABLE metrics AS
    WITH hours AS (
      SELECT d.day_idx, (d.day::TIMESTAMP + INTERVAL (h) HOUR) AS ts, h::INTEGER AS hour
      FROM days d, range(24) t(h)
    ), x AS (
      SELECT r.provider, r.export, r.resource_id, r.profile, r.memory_agent, r.vcpu, hs.ts, hs.hour, hs.day_idx,
        (hash(${seed}, r.idx, hs.day_idx, hs.hour) % 1000000) / 1000000.0 AS u1,
        (hash(${seed} + 1, r.idx, hs.day_idx, hs.hour) % 1000000) / 1000000.0 AS u2,
        CASE WHEN dayofweek(hs.ts) IN (0, 6) THEN 0.6 ELSE 1.0 END
          * (0.5 + 0.5 * sin(2 * pi() * (hs.hour - 9) / 24.0)) AS diurnal,
        (dayofweek(hs.ts) BETWEEN 1 AND 5 AND hs.hour BETWEEN 7 AND 18) AS business
      FROM resources r JOIN hours hs ON hs.day_idx BETWEEN r.start_day AND r.end_day
      WHERE r.kind = 'vm'
        -- A scheduled VM reports only while it runs: weekdays 07:00-19:00.
        AND (r.schedule = 'always' OR (dayofweek(hs.ts) BETWEEN 1 AND 5 AND hs.hour BETWEEN 7 AND 18))
    ), cpu AS (
      SELECT *,
        CASE profile
          WHEN 'idle' THEN 0.4 + 1.2 * u1
          WHEN 'oversized' THEN 6 + 8 * diurnal + 3 * u1
          -- One hot hour a day (a nightly batch, a daily report), the rest quiet: its peaks need the size.
          WHEN 'peaky' THEN CASE WHEN (hash(${seed} + 2, resource_id, day_idx) % 24) = hour THEN 70 + 20 * u1 ELSE 8 + 6 * diurnal + 3 * u1 END
          WHEN 'steady' THEN 52 + 8 * u1
          WHEN 'business_hours' THEN CASE WHEN business THEN 30 + 25 * u1 ELSE 1 + 1.5 * u1 END
          ELSE 20 + 40 * diurnal + 8 * u1
        END AS cpu_avg
      FROM x
    )
    SELECT provider, export, resource_id, ts AS timestamp,
      round(cpu_avg, 2) AS cpu_avg_pct,
      round(least(100, cpu_avg * (1.15 + 0.5 * u2) + CASE WHEN profile = 'idle' THEN 0.5 ELSE 2 END), 2) AS cpu_max_pct,
      -- An oversized VM uses a fraction of its memory too (it would fit the next size down).
      CASE WHEN memory_agent THEN round(CASE profile WHEN 'idle' THEN 18 + 4 * u2 WHEN 'oversized' THEN 18 + 0.3 * cpu_avg + 3 * u2
        ELSE 35 + 0.4 * cpu_avg + 5 * u2 END, 2) END AS memory_avg_pct,
      CASE WHEN memory_agent THEN round(CASE profile WHEN 'idle' THEN 23 + 4 * u2 WHEN 'oversized' THEN 22 + 0.35 * cpu_avg + 4 * u2
        ELSE 42 + 0.45 * cpu_avg + 6 * u2 END, 2) END AS memory_max_pct,
      (CASE WHEN profile = 'idle' THEN 20000 + 60000 * u2 ELSE vcpu * (2e7 + 4e6 * cpu_avg * (0.5 + u2)) END)::BIGINT AS network_in_bytes,
      (CASE WHEN profile = 'idle' THEN 15000 + 40000 * u1 ELSE vcpu * (1e7 + 3e6 * cpu_avg * (0.5 + u1)) END)::BIGINT AS network_out_bytes,
      (CASE WHEN profile = 'idle' THEN 4096 * (1 + 4 * u1) ELSE vcpu * 1e6 * cpu_avg * (0.5 + u2) END)::BIGINT AS disk_read_bytes,
      (CASE WHEN profile = 'idle' THEN 8192 * (1 + 4 * u2) ELSE vcpu * 2e6 * cpu_avg * (0.5 + u1) END)::BIGINT AS disk_write_bytes
    FROM cpu ORDER BY provider, resource_id, timestamp`);
}
