import { describe, expect, it } from "vitest";
import { bigQueryColumnType, bigQuerySourceStatements } from "../../../../core/dbt/bigquery/sources.ts";
import { loadProject } from "../../../../core/dbt/project.ts";
import { PROJECT_ROOT } from "../../../../core/paths.ts";
import { FORMATS } from "../../../../ingest/providers.ts";

describe("cco models bigquery-sources", () => {
  const project = loadProject(PROJECT_ROOT, { target: "bigquery" });
  const statements = bigQuerySourceStatements(project, "gs://acme-finops/lake/", FORMATS);
  const of = (relation: string) => statements.find((s) => s.relation === relation)?.statement;

  it("makes each raw table an external table over its lake folder's Hive-partitioned Parquet", () => {
    const cur2 = of("raw.aws_cur2_line_items")!;
    expect(cur2).toMatch(/^CREATE OR REPLACE EXTERNAL TABLE raw\.aws_cur2_line_items \(\n/);
    expect(cur2).toContain("WITH PARTITION COLUMNS (billing_period STRING)");
    expect(cur2).toContain("format = 'PARQUET'");
    expect(cur2).toContain("uris = ['gs://acme-finops/lake/aws_cur2/*']");
    expect(cur2).toContain("hive_partition_uri_prefix = 'gs://acme-finops/lake/aws_cur2'");
    // The declared columns, typed as the sources YAML types them.
    expect(cur2).toContain("`_load_id` INT64");
    expect(cur2).toContain("`_loaded_at` TIMESTAMP");
    // Legacy CUR's names hold '/' and ':', which BigQuery's column names cannot: V1 makes them '_'.
    const legacy = of("raw.aws_cur_legacy_line_items")!;
    expect(legacy).toContain("`lineItem_UsageStartDate` STRING");
    expect(legacy).toContain("column_name_character_map = 'V1'");
    expect(of("raw.gcp_file_export_json_lines")).toContain(
      "`measurements` ARRAY<STRUCT<`measurementId` STRING, `sum` STRING, `unit` STRING>>",
    );
    // The datasets first.
    expect(statements.findIndex((s) => s.relation === "raw")).toBeLessThan(
      statements.findIndex((s) => s.relation === "raw.aws_cur2_line_items"),
    );
  });

  it("reads GCP's billing export where it is, and makes cco's own tables empty tables of their columns", () => {
    expect(statements.some((s) => /gcp_billing_export/.test(s.statement))).toBe(false);
    expect(of("ops.load_parts")).toBe(
      [
        "CREATE TABLE IF NOT EXISTS ops.load_parts (",
        "  `load_id` INT64,",
        "  `raw_table` STRING,",
        "  `billing_account` STRING,",
        "  `billing_period` STRING,",
        "  `superseded_by` INT64",
        ")",
      ].join("\n"),
    );
    expect(of("ml.recommendation_risk")).toContain("`priority` NUMERIC(18, 2)");
  });

  it("turns DuckDB's list and struct types into BigQuery's, and refuses what is not a gs:// folder", () => {
    expect(bigQueryColumnType(project, "STRUCT(a VARCHAR, b DOUBLE)[]")).toBe(
      "ARRAY<STRUCT<`a` STRING, `b` FLOAT64>>",
    );
    expect(bigQueryColumnType(project, "BIGINT[]")).toBe("ARRAY<INT64>");
    expect(() => bigQuerySourceStatements(project, "s3://bucket/lake", FORMATS)).toThrow(
      /expected gs:\/\/<bucket>\/<folder>/,
    );
    expect(() => bigQuerySourceStatements(loadProject(PROJECT_ROOT), "gs://b/lake", FORMATS)).toThrow(
      /needs a bigquery target/,
    );
  });
});
