/**
 * The GCP billing export in the shapes users really hand over: NDJSON whose exporter leaves out
 * null fields (a column first seen on the last line), JSON objects one after another, and the
 * export flattened to CSV, with or without the records as JSON columns. Each lands the rows the
 * NDJSON extract would, and cost + credits per currency equal the published reference.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csvLine } from "../../../core/csv.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";

/** cost + every credit, per currency, from the raw rows. */
async function billed(w: Warehouse): Promise<Record<string, string>> {
  const rows = await w.all<{ currency: string; total: string }>(
    `select currency, (sum(cost::decimal(38,10)) + coalesce(sum((select sum((c ->> 'amount')::decimal(38,10))
       from unnest(from_json(credits, '["json"]')) t(c))), 0))::decimal(38,4)::varchar as total
     from raw.gcp_billing_export_lines group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}

const FLAT = path.join(FIXTURES, "gcp/bq_flat_csv_pso_finops_agent_sample_billing_data.csv");
// SOURCES.md: Σ cost + Σ credits[].amount per currency, computed independently of this project.
const FLAT_REFERENCE = { AUD: "347430.6703", EUR: "451968.5541", GBP: "573288.1351", USD: "1255613.0601" };

describe("GCP billing export shapes", () => {
  it("takes a column first seen on the last NDJSON line (an exporter that leaves out nulls)", async () => {
    const file = path.join(tempDir(), "export-000000000000.json");
    const row = (extra: Record<string, unknown>) =>
      JSON.stringify({
        billing_account_id: "01ABCD-234567-89EFGH",
        service: { id: "6F81-5844-456A", description: "Compute Engine" },
        sku: { id: "CP-COMPUTEENGINE-VMIMAGE-N1-STANDARD-1", description: "N1 Predefined Instance Core" },
        usage_start_time: "2026-10-01T00:00:00Z",
        usage_end_time: "2026-10-01T01:00:00Z",
        cost: "1.25",
        currency: "USD",
        usage: { amount: "3600", unit: "seconds", amount_in_pricing_units: "1", pricing_unit: "hour" },
        invoice: { month: "202610" },
        cost_type: "regular",
        ...extra,
      });
    writeFileSync(
      file,
      [row({}), row({}), row({ credits: [{ name: "Free tier", amount: "-0.5", type: "FREE_TIER" }] })].join(
        "\n",
      ),
    );
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({ format: "gcp_bq_json", status: "loaded", rows: 3 });
    expect(await billed(w)).toEqual({ USD: "3.2500" });
    await w.close();
  });

  it("reads JSON objects written one after another, and reconciles to the reference", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const file = path.join(FIXTURES, "gcp/bq_json_concat_pso_cuds_test_9_3_export.json");
    const [result] = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({ format: "gcp_bq_json", rows: 9 });
    expect(await billed(w)).toEqual({ USD: "340.0000" });
    await w.close();
  });

  it("reads the export flattened to CSV, in four currencies, as the reference sums it", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [FLAT], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({ format: "gcp_bq_csv", rows: 500 });
    expect(await billed(w)).toEqual(FLAT_REFERENCE);
    await w.close();
  });

  it("reads the flattened CSV without its JSON record columns (credits still as JSON) the same way", async () => {
    // service_description, sku_id, usage_amount, invoice_month …: records only as underscore columns.
    const lines = readFileSync(FLAT, "utf8").trimEnd().split("\n");
    const rows = await (async () => {
      const w = await Warehouse.open({ path: ":memory:" });
      const r = await w.query(`select * from read_csv('${FLAT}', all_varchar = true)`);
      await w.close();
      return r;
    })();
    const drop = new Set(["service", "sku", "project", "location", "price", "usage", "invoice", "resource"]);
    const keep = rows.columns.map((c, i) => [c, i] as const).filter(([c]) => !drop.has(c));
    const file = path.join(tempDir(), "billing_flat.csv");
    writeFileSync(
      file,
      `${[csvLine(keep.map(([c]) => c)), ...rows.rows.map((r) => csvLine(keep.map(([, i]) => r[i])))].join("\n")}\n`,
    );
    expect(rows.rows.length).toBe(lines.length - 1);
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({ format: "gcp_bq_csv", rows: 500 });
    expect(await billed(w)).toEqual(FLAT_REFERENCE);
    const [service] = await w.all<{ s: string }>(
      "select any_value(service ->> 'description') as s from raw.gcp_billing_export_lines where service ->> 'id' = 'SRV-BQY-881'",
    );
    expect(service!.s).toBe("BigQuery");
    await w.close();
  });
});
