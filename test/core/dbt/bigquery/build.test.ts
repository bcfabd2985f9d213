/**
 * `cco models build --target bigquery` through the real @google-cloud/bigquery client against a
 * local BigQuery (test/helpers/bigquery-jobs-stub.ts) that keeps the tables the statements make
 * and rejects reading one that does not exist: the whole project, on a copy of it.
 */
import { cpSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnBigQuery } from "../../../../core/dbt/bigquery/build.ts";
import { bigQueryFor } from "../../../../core/dbt/bigquery/client.ts";
import { bigQuerySourceStatements } from "../../../../core/dbt/bigquery/sources.ts";
import { compileProject } from "../../../../core/dbt/compile.ts";
import { contractColumns } from "../../../../core/dbt/contracts.ts";
import { loadProject } from "../../../../core/dbt/project.ts";
import { PROJECT_ROOT } from "../../../../core/paths.ts";
import { FORMATS } from "../../../../ingest/providers.ts";
import { type BigQueryJobsStubOptions, startBigQueryJobsStub } from "../../../helpers/bigquery-jobs-stub.ts";
import { quiet, tempDir } from "../../../helpers/tmp.ts";
import { ccoAsync as cco } from "../../../orchestrator/cli/run-cli.ts";

/** The dbt project copied to a folder of its own (its target/ is the build's). */
function projectCopy(): string {
  const root = tempDir();
  for (const part of ["dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests"])
    cpSync(path.join(PROJECT_ROOT, part), path.join(root, part), { recursive: true });
  return root;
}

const env = { CCO_BIGQUERY_PROJECT: "acme-finops" };
const FOCUS_COLUMNS = contractColumns(loadProject(PROJECT_ROOT), "focus_costs").map((c) => c.name);

/** A local BigQuery holding the sources (as bigquery-sources makes them) and GCP's export table. */
async function bigQueryWithSources(options: BigQueryJobsStubOptions = {}) {
  const stub = await startBigQueryJobsStub({
    checkTables: true,
    tables: { "billing_export.gcp_billing_export_resource_v1": "TABLE" },
    // A dry run of focus_costs' SELECT reports its columns (the stub cannot read them off the SQL).
    schemas: [{ match: /from focus_rows/, fields: FOCUS_COLUMNS }],
    ...options,
  });
  const project = loadProject(PROJECT_ROOT, { target: "bigquery", env });
  const runner = await bigQueryFor({ ...project.target, api_endpoint: stub.url });
  for (const s of bigQuerySourceStatements(project, "gs://acme-finops/lake", FORMATS))
    await runner.run(s.statement);
  stub.jobs.length = 0;
  return { stub, runner };
}

/** Index of the job that created a relation. */
const createdAt = (jobs: { query: string; dryRun: boolean }[], relation: string) =>
  jobs.findIndex(
    (j) =>
      !j.dryRun &&
      new RegExp(`^(?:DROP [^;]+;\\n)?CREATE OR REPLACE (?:TABLE|VIEW) ${relation}\\b`).test(j.query),
  );

beforeAll(() => {
  process.env.METADATA_SERVER_DETECTION = "none";
});

describe("cco models build --target bigquery", () => {
  const stubs: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(stubs.map((s) => s.close()));
  });

  it("builds every seed and model in dependency order and runs every test, then adds to incremental models", async () => {
    const { stub, runner } = await bigQueryWithSources();
    stubs.push(stub);
    const root = projectCopy();
    const { results, failed } = await buildOnBigQuery(
      root,
      { runModels: true, runTests: true, target: "bigquery", runner },
      quiet,
    );
    expect(results.filter((r) => r.status !== "success" && r.status !== "pass")).toEqual([]);
    expect(failed).toBe(0);
    const project = loadProject(root, { target: "bigquery", env });
    const models = compileProject(project);
    expect(results.filter((r) => r.unique_id.startsWith("model.")).length).toBe(models.size);
    expect(results.filter((r) => r.unique_id.startsWith("seed.")).length).toBe(project.seeds.size);
    // Each model after the models and seeds it reads.
    for (const model of models.values()) {
      const at = createdAt(stub.jobs, model.relation);
      expect(at, model.relation).toBeGreaterThan(-1);
      for (const parent of model.refs) {
        const relation = models.get(parent)?.relation ?? project.seeds.get(parent)!.relation;
        expect(createdAt(stub.jobs, relation), `${model.relation} after ${relation}`).toBeLessThan(at);
      }
    }
    // focus_costs (external on DuckDB) is a table here, partitioned by month and clustered.
    const focus = stub.jobs.find((j) =>
      j.query.startsWith("CREATE OR REPLACE TABLE marts.focus_costs"),
    )!.query;
    expect(focus).toMatch(
      /^CREATE OR REPLACE TABLE marts\.focus_costs\nPARTITION BY DATE_TRUNC\(`x_ChargeDate`, MONTH\)\nCLUSTER BY `x_Provider`, `BillingAccountId`\nAS\nSELECT CAST\(`AvailabilityZone` AS STRING\)/,
    );
    expect(stub.tables.get("staging.stg_aws__cur2_line_items")).toBe("VIEW");
    expect(stub.tables.get("marts.cost_daily")).toBe("TABLE");
    expect(stub.jobs.every((j) => j.location === "US")).toBe(true);
    const runResults = JSON.parse(readFileSync(path.join(root, "target", "run_results.json"), "utf8"));
    expect(runResults.metadata.adapter_type).toBe("bigquery");
    expect(runResults.results.length).toBe(results.length);

    // Again: an incremental model replaces the rows of the keys its new rows have, in one MERGE.
    stub.jobs.length = 0;
    const again = await buildOnBigQuery(
      root,
      { runModels: true, runTests: false, select: "cost_daily", target: "bigquery", runner },
      quiet,
    );
    expect(again.failed).toBe(0);
    const merge = stub.jobs.find((j) => !j.dryRun && j.query.includes("MERGE INTO marts.cost_daily"))!.query;
    expect(merge).toMatch(/^DECLARE cco_keys ARRAY<STRING>;\nCREATE TEMP TABLE cco_incremental AS\n/);
    expect(merge).toContain("x_BillingPeriod in (select f.billing_period"); // is_incremental(): the new periods only
    expect(merge).toContain(
      "WHEN NOT MATCHED BY SOURCE AND CAST(cco_target.`billing_period` AS STRING) IN UNNEST(cco_keys) THEN DELETE",
    );
    // --full-refresh builds it whole again.
    stub.jobs.length = 0;
    await buildOnBigQuery(
      root,
      {
        runModels: true,
        runTests: false,
        select: "cost_daily",
        fullRefresh: true,
        target: "bigquery",
        runner,
      },
      quiet,
    );
    expect(stub.jobs.filter((j) => !j.dryRun).map((j) => j.query.split("\n")[0])).toContain(
      "CREATE OR REPLACE TABLE marts.cost_daily",
    );
  });

  it("names the model whose statement BigQuery rejects, skips what depends on it, and fails a test with failing rows", async () => {
    const { stub, runner } = await bigQueryWithSources({
      failures: [
        {
          match: /^CREATE OR REPLACE VIEW staging\.stg_aws__cur2_line_items\b/,
          message: "Access Denied: Table acme-finops:raw.aws_cur2_line_items: User does not have permission",
        },
      ],
      answers: [
        {
          match: /count\(\*\) as failures[\s\S]*FROM marts\.catalog_vm_sizes WHERE `vcpu` IS NULL/i,
          rows: [{ failures: 3 }],
        },
      ],
    });
    stubs.push(stub);
    const { results, failed } = await buildOnBigQuery(
      projectCopy(),
      { runModels: true, runTests: true, target: "bigquery", runner },
      quiet,
    );
    const byId = Object.fromEntries(results.map((r) => [r.unique_id, r]));
    expect(byId["model.cco.stg_aws__cur2_line_items"]).toMatchObject({
      status: "error",
      message:
        "models/staging/aws/stg_aws__cur2_line_items.sql: Access Denied: Table acme-finops:raw.aws_cur2_line_items: User does not have permission",
    });
    expect(byId["model.cco.int_aws__focus_lines"]!.status).toBe("skipped");
    expect(byId["model.cco.focus_costs"]!.status).toBe("skipped");
    expect(byId["model.cco.stg_azure__cost_lines"]!.status).toBe("success");
    expect(byId["test.cco.not_null_catalog_vm_sizes_vcpu"]).toMatchObject({ status: "fail", failures: 3 });
    expect(failed).toBe(2);
  });

  it("checks a contracted model's columns with a dry run before it builds", async () => {
    const { stub, runner } = await bigQueryWithSources({
      schemas: [
        { match: /from focus_rows/, fields: FOCUS_COLUMNS.filter((c) => c !== "BilledCost").concat("Extra") },
      ],
    });
    stubs.push(stub);
    const { results } = await buildOnBigQuery(
      projectCopy(),
      { runModels: true, runTests: false, select: "+focus_costs", target: "bigquery", runner },
      quiet,
    );
    expect(results.find((r) => r.unique_id === "model.cco.focus_costs")!.message).toBe(
      "models/marts/focus_costs.sql: the SQL does not meet its enforced contract: missing BilledCost; not in the contract extra",
    );
    expect(stub.jobs.some((j) => j.query.startsWith("CREATE OR REPLACE TABLE marts.focus_costs"))).toBe(
      false,
    );
  });

  it("runs from the CLI with the target's endpoint, exiting 1 when a model fails", async () => {
    const { stub } = await bigQueryWithSources({
      failures: [
        {
          match: /^CREATE OR REPLACE VIEW staging\.stg_aws__cost_explorer_days\b/,
          message: "Quota exceeded",
        },
      ],
    });
    stubs.push(stub);
    const env = {
      CCO_BIGQUERY_API_ENDPOINT: stub.url,
      CCO_BIGQUERY_PROJECT: "acme-finops",
      METADATA_SERVER_DETECTION: "none",
    };
    const select = ["--select", "stg_aws__cur2_line_items", "stg_aws__cost_explorer_days"];
    const { status, stdout, stderr } = await cco(["models", "run", "--target", "bigquery", ...select], env);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toMatch(/^success\s+model\.cco\.stg_aws__cur2_line_items$/m);
    expect(stdout).toMatch(
      /^error\s+model\.cco\.stg_aws__cost_explorer_days {2}models\/staging\/aws\/stg_aws__cost_explorer_days\.sql: Quota exceeded$/m,
    );
    expect(status).toBe(1);
    expect(stub.tables.get("staging.stg_aws__cur2_line_items")).toBe("VIEW");
  }, 240_000);
});
