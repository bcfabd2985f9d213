import { describe, expect, it } from "vitest";
import { compileProject } from "../../../core/dbt/compile.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { project } from "./helpers.ts";

const PROFILES = [
  "t:",
  "  target: dev",
  "  outputs:",
  "    dev:",
  "      type: duckdb",
  "      threads: 2",
  "    bq:",
  "      type: bigquery",
  "      method: oauth",
  "      project: \"{{ env_var('T_PROJECT', 'fallback-project') }}\"",
  "      dataset: analytics",
  "      location: EU",
  "      keyfile: \"{{ env_var('T_KEY', '') }}\"",
  "      threads: 8",
].join("\n");

/** A project whose one model prints what templates see of the target. */
const files = {
  "profiles.yml": PROFILES,
  "models/staging/stg_target.sql":
    "select '{{ target.name }}' as name, '{{ target.type }}' as type, '{{ target.schema }}' as schema, " +
    "'{{ target.project }}' as project, '{{ target.keyfile }}' as keyfile",
};

describe("targets (profiles.yml)", () => {
  it("uses the profile's target by default and another with --target, its values rendered with env_var", () => {
    const root = project(files);
    const dev = loadProject(root);
    expect(dev.target).toMatchObject({ name: "dev", type: "duckdb", schema: "main", threads: 2 });
    expect(dev.threads).toBe(2);
    const bq = loadProject(root, { target: "bq", env: { T_PROJECT: "acme-finops", T_KEY: "/secret.json" } });
    expect(bq.target).toMatchObject({
      name: "bq",
      type: "bigquery",
      schema: "analytics",
      dataset: "analytics",
      project: "acme-finops",
      location: "EU",
      keyfile: "/secret.json",
    });
    expect(bq.threads).toBe(8);
    expect(loadProject(root, { target: "bq", env: {} }).target.project).toBe("fallback-project");
  });

  it("gives templates dbt's target variable, never the key file", () => {
    const root = project(files);
    const sqlFor = (target?: string) =>
      compileProject(loadProject(root, { target, env: { T_KEY: "/secret.json" } })).get("stg_target")!.sql;
    expect(sqlFor()).toBe(
      "select 'dev' as name, 'duckdb' as type, 'main' as schema, '' as project, '' as keyfile",
    );
    expect(sqlFor("bq")).toBe(
      "select 'bq' as name, 'bigquery' as type, 'analytics' as schema, 'fallback-project' as project, '' as keyfile",
    );
  });

  it("rejects an unknown target, an unknown adapter and a missing environment variable, naming them", () => {
    const root = project(files);
    expect(() => loadProject(root, { target: "prod" })).toThrow(
      /profiles\.yml: t\.outputs: no target prod \(targets: dev, bq\)/,
    );
    const postgres = project({
      ...files,
      "profiles.yml": PROFILES.replace("type: bigquery", "type: postgres"),
    });
    expect(() => loadProject(postgres, { target: "bq" })).toThrow(
      /bq\.type: must be one of duckdb, bigquery, not 'postgres'/,
    );
    const strict = project({
      ...files,
      "profiles.yml": PROFILES.replace("env_var('T_PROJECT', 'fallback-project')", "env_var('T_PROJECT')"),
    });
    expect(() => loadProject(strict, { target: "bq", env: {} })).toThrow(
      /bq\.project: environment variable T_PROJECT is not set/,
    );
    // The default target of a project without profiles.yml is DuckDB's dev; nothing else exists.
    const bare = project({ "models/staging/stg_target.sql": "select 1 as one" });
    expect(loadProject(bare).target).toMatchObject({ name: "dev", type: "duckdb", schema: "main" });
    expect(() => loadProject(bare, { target: "bq" })).toThrow(
      /no profiles\.yml beside the project: no target bq/,
    );
  });

  it("renders a source's schema and identifier per target (a BigQuery export table, the lake's raw table on DuckDB)", () => {
    const root = project({
      ...files,
      "models/staging/_sources.yml": [
        "version: 2",
        "sources:",
        "  - name: export",
        "    database: \"{{ env_var('T_EXPORT_PROJECT', '') if target.type == 'bigquery' }}\"",
        "    schema: \"{{ 'billing' if target.type == 'bigquery' else 'raw' }}\"",
        "    tables:",
        "      - name: lines",
        "        identifier: \"{{ 'gcp_billing_export_v1' if target.type == 'bigquery' else 'export_lines' }}\"",
      ].join("\n"),
      "models/staging/stg_lines.sql": "select * from {{ source('export', 'lines') }}",
    });
    const sql = (target: string | undefined, env: NodeJS.ProcessEnv = {}) =>
      compileProject(loadProject(root, { target, env })).get("stg_lines")!.sql;
    expect(sql(undefined)).toBe("select * from raw.export_lines");
    expect(sql("bq")).toBe("select * from billing.gcp_billing_export_v1");
    expect(sql("bq", { T_EXPORT_PROJECT: "acme-billing" })).toBe(
      "select * from `acme-billing.billing.gcp_billing_export_v1`",
    );
  });
});
