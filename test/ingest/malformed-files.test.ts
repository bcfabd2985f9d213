/** Files that are not what they claim: each is rejected with one line naming the file, and nothing lands. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { countRows } from "../../core/sql.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";

const legacy = readFileSync(path.join(FIXTURES, "aws/cur_legacy_anon_focusconv.csv"));

/** Split a CSV line, keeping quoted fields (with their commas) whole. */
function fields(line: string): string[] {
  const out = [""];
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) out.push("");
    else out[out.length - 1] += ch;
  }
  return out;
}

/** The legacy sample with one cell of its third data row replaced. */
function withCell(column: string, value: string): string {
  const file = path.join(tempDir(), "bad-cell.csv");
  const lines = legacy.toString("utf8").split("\n");
  const cells = fields(lines[3]!);
  cells[fields(lines[0]!).indexOf(column)] = value;
  lines[3] = cells.join(",");
  writeFileSync(file, lines.join("\n"));
  return file;
}

async function rejects(file: string, pattern: RegExp): Promise<void> {
  const w = await Warehouse.open({ path: ":memory:" });
  const error = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet).catch((e) => e);
  expect(error).toBeInstanceOf(InputError);
  expect(error.message.split("\n")).toHaveLength(1);
  expect(error.message.startsWith(file)).toBe(true);
  expect(error.message).toMatch(pattern);
  // Nothing landed: no lake file is current, and no raw view has a row.
  expect(await w.all("select * from ops.load_parts")).toEqual([]);
  const views = await w.all<{ name: string }>(
    "select view_name as name from duckdb_views() where schema_name = 'raw'",
  );
  for (const { name } of views) expect(await countRows(w, `raw.${name}`), name).toBe(0);
  await w.close();
}

describe("malformed files", () => {
  it("a truncated gzip", async () => {
    const file = path.join(tempDir(), "cur-1.csv.gz");
    const gz = gzipSync(legacy);
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    await rejects(file, /: is not a complete gzip file \(truncated or corrupt\): unexpected end of file$/);
  });

  it("a .csv.gz that is not gzip", async () => {
    const file = path.join(tempDir(), "plain.csv.gz");
    writeFileSync(file, legacy);
    await rejects(file, /: is not a readable gzip file: incorrect header check$/);
  });

  it("a .parquet that is really CSV", async () => {
    const file = path.join(tempDir(), "export.parquet");
    writeFileSync(file, legacy);
    await rejects(file, /not a readable Parquet file/);
  });

  it("a row with fewer fields than the header", async () => {
    const file = path.join(tempDir(), "short-row.csv");
    const lines = legacy.toString("utf8").split("\n");
    lines[5] = lines[5]!.split(",").slice(0, -3).join(",");
    writeFileSync(file, lines.join("\n"));
    await rejects(file, /\(row 6\): has 91 fields where the header has 94 columns$/);
  });

  it("an unparsable billing period", async () => {
    await rejects(
      withCell("bill/BillingPeriodStartDate", "sometime in November"),
      /\(row 4, column bill\/BillingPeriodStartDate\): expected a date or timestamp, found "sometime in November"$/,
    );
  });

  it("an unparsable usage date", async () => {
    await rejects(
      withCell("lineItem/UsageStartDate", "31/31/2023"),
      /\(row 4, column lineItem\/UsageStartDate\): expected a date or timestamp, found "31\/31\/2023"$/,
    );
  });

  it("loads scientific notation and mixed line endings exactly", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const [legacyResult] = await ingestPaths(
      w,
      [path.join(FIXTURES, "aws/cur_legacy_anon_focusconv.csv")],
      { lakeDir: tempDir() },
      quiet,
    );
    const [sci] = await w.all<{ v: string }>(
      `select "lineItem/UnblendedCost"::decimal(38,10)::varchar as v from raw.aws_cur_legacy_line_items where "lineItem/UnblendedCost" ilike '%E-%' limit 1`,
    );
    expect(sci!.v).toMatch(/^0\.0000\d+$/);
    expect(legacyResult!.totals).toEqual({ USD: "1.6823086974" });
    const [mixed] = await ingestPaths(
      w,
      [path.join(FIXTURES, "azure/mca_camelcase_koku.csv")],
      { lakeDir: tempDir() },
      quiet,
    );
    expect(mixed).toMatchObject({ status: "loaded", rows: 4, totals: { USD: "0.0000262412" } });
    const names = await w.all<{ n: string }>(
      "select billingProfileName as n from raw.azure_actual_cost_lines limit 1",
    );
    expect(names[0]!.n).toBe("HCE R&D Content, Subscriptions & Insights (CC 734)");
    await w.close();
  });
});
