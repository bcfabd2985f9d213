/**
 * `cco models compile --target bigquery --dry-run`: the CLI as a user runs it, its BigQuery a local
 * server that answers dry runs as BigQuery does (bytes and schema; invalidQuery for DuckDB-only
 * syntax; notFound for a table that does not exist).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bigQueryFor } from "../../../../core/dbt/bigquery/client.ts";
import { bigQueryStatements, dryRunStatements } from "../../../../core/dbt/bigquery/compile.ts";
import { compileProject } from "../../../../core/dbt/compile.ts";
import { loadProject } from "../../../../core/dbt/project.ts";
import { selectModels } from "../../../../core/dbt/selection.ts";
import { compileDataTests } from "../../../../core/dbt/tests.ts";
import { PROJECT_ROOT } from "../../../../core/paths.ts";
import { type BigQueryJobsStub, startBigQueryJobsStub } from "../../../helpers/bigquery-jobs-stub.ts";
import { project } from "../helpers.ts";
import { ccoAsync as cco } from "../../../orchestrator/cli/run-cli.ts";

type Report = {
  results: { id: string; status: string; bytes: number | null; message: string | null }[];
  total_bytes_processed: number;
};

let stub: BigQueryJobsStub;
const env = (url: string) => ({
  CCO_BIGQUERY_API_ENDPOINT: url,
  CCO_BIGQUERY_PROJECT: "acme-finops",
  METADATA_SERVER_DETECTION: "none",
});

beforeAll(async () => {
  stub = await startBigQueryJobsStub({ tableBytes: { "marts.focus_costs": 5 * 1024 ** 3 } });
});
afterAll(async () => {
  await stub?.close();
});

describe("cco models compile --target bigquery --dry-run", () => {
  it("dry-runs every statement, prints the bytes each would process, and writes target/compiled and target/run", async () => {
    const { status, stdout, stderr } = await cco(
      ["models", "compile", "--target", "bigquery", "--dry-run", "--json"],
      env(stub.url),
    );
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as Report;
    const project = loadProject(PROJECT_ROOT, { target: "bigquery" });
    const models = compileProject(project);
    expect(report.results.length).toBe(
      models.size + project.seeds.size + compileDataTests(project, models).length,
    );
    expect(report.results.filter((r) => r.status !== "ok")).toEqual([]);
    // Every statement reached BigQuery as a dry run, in the target's location.
    expect(stub.jobs.length).toBe(report.results.length);
    expect(stub.jobs.every((j) => j.dryRun && j.location === "US")).toBe(true);
    // Bytes as BigQuery reported them: cost_daily reads focus_costs (5 GiB here).
    expect(report.results.find((r) => r.id === "model.cco.cost_daily")!.bytes).toBe(5 * 1024 ** 3);
    expect(report.total_bytes_processed).toBe(report.results.reduce((sum, r) => sum + (r.bytes ?? 0), 0));
    const compiled = path.join(
      PROJECT_ROOT,
      "target",
      "compiled",
      "cco",
      "models",
      "marts",
      "cost_daily.sql",
    );
    expect(readFileSync(compiled, "utf8")).toContain("to_hex(md5(array_to_string(");
    const run = path.join(PROJECT_ROOT, "target", "run", "cco", "models", "marts", "cost_daily.sql");
    expect(readFileSync(run, "utf8")).toMatch(/^CREATE OR REPLACE TABLE marts\.cost_daily\nAS\n/);
    expect(existsSync(path.join(PROJECT_ROOT, "target", "run", "cco", "seeds", "catalog_vm_sizes.sql"))).toBe(
      true,
    );

    const human = await cco(
      ["models", "compile", "--target", "bigquery", "--dry-run", "--select", "cost_daily"],
      env(stub.url),
    );
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^ok\s+5\.0 GiB {2}model\.cco\.cost_daily$/m);
    expect(human.stdout).toMatch(/statements valid; [\d.]+ GiB would be processed$/m);
  }, 240_000);

  it("says which models wait for their parents, and exits 1 when a source BigQuery lacks is read", async () => {
    // A BigQuery where one staging view is built and only some sources exist.
    const fresh = await startBigQueryJobsStub({
      checkTables: true,
      tables: {
        "raw.aws_cur2_line_items": "EXTERNAL",
        "ops.load_parts": "TABLE",
        "staging.stg_focus__cost_lines": "VIEW",
      },
    });
    try {
      const { status, stdout } = await cco(
        [
          "models",
          "compile",
          "--target",
          "bigquery",
          "--dry-run",
          "--json",
          "--select",
          "stg_aws__cur2_line_items+",
          "stg_aws__cost_explorer_days",
        ],
        env(fresh.url),
      );
      const byId = Object.fromEntries((JSON.parse(stdout) as Report).results.map((r) => [r.id, r]));
      expect(byId["model.cco.stg_aws__cur2_line_items"]!.status).toBe("ok");
      expect(byId["model.cco.int_aws__focus_lines"]).toMatchObject({
        status: "waiting",
        message: expect.stringMatching(/^Not found: Table stub:staging\.stg_aws__cur2_line_items/),
      });
      expect(byId["model.cco.int_aws__focus_unused_lines"]).toMatchObject({
        status: "waiting",
        message: expect.stringMatching(/^Not found: Dataset stub:intermediate/),
      });
      expect(byId["model.cco.stg_aws__cost_explorer_days"]).toMatchObject({
        status: "error",
        message: expect.stringMatching(/^Not found: Table stub:raw\.aws_cost_explorer_daily/),
      });
      expect(status).toBe(1);
    } finally {
      await fresh.close();
    }
  }, 240_000);

  it("reports DuckDB-only SQL as BigQuery's invalidQuery, with where it is", async () => {
    const root = project({
      "profiles.yml": "t:\n  target: bq\n  outputs:\n    bq: {type: bigquery, dataset: d, project: p}\n",
      "models/staging/stg_leak.sql":
        "select 1 as one,\n    amount::varchar as amount_text from {{ ref('stg_ok') }}",
      "models/staging/stg_ok.sql": "select 1 as amount",
    });
    const p = loadProject(root);
    const models = compileProject(p);
    const statements = bigQueryStatements(p, models, [], selectModels(models, ""));
    const runner = await bigQueryFor({ ...p.target, api_endpoint: stub.url });
    const results = await dryRunStatements(runner, statements, 2);
    expect(results).toEqual([
      { id: "model.t.stg_ok", status: "ok", bytes: 0, message: null },
      {
        id: "model.t.stg_leak",
        status: "invalid",
        bytes: null,
        message: 'Syntax error: Unexpected "::" at [2:11]',
      },
    ]);
  });
});
