/** Our dbt runner on a small project written for the test: order, selection, failures, tests, artifacts, docs. */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderDataDictionary } from "../../../core/dbt/docs.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { buildProject, compileProject } from "../../../core/dbt/runner.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";
import { base, buildFresh, project } from "./helpers.ts";

describe("dbt runner", () => {
  it("builds in ref order; a failed model skips its descendants, not its siblings", async () => {
    const root = project(base);
    const { w, failed, status } = await buildFresh(root);
    expect(status).toMatchObject({
      "model.t.stg_numbers": "success",
      "model.t.doubled": "success",
      "model.t.broken": "error",
      "model.t.after_broken": "skipped",
      "test.t.unique_doubled_d": "pass",
      "test.t.accepted_values_doubled_d": "warn",
    });
    expect(failed).toBe(1);
    expect(await w.all("select sum(d)::integer as s from marts.doubled")).toEqual([{ s: 20 }]);
    // No half-built table is left for the failed model.
    expect(await w.tableExists("marts", "broken")).toBe(false);
    const runResults = JSON.parse(readFileSync(path.join(root, "target/run_results.json"), "utf8"));
    expect(runResults.results.map((r: { unique_id: string }) => r.unique_id)).toContain(
      "model.t.after_broken",
    );
    const manifest = JSON.parse(readFileSync(path.join(root, "target/manifest.json"), "utf8"));
    expect(manifest.nodes["model.t.doubled"].depends_on.nodes).toEqual(["model.t.stg_numbers"]);
    await w.close();
  });

  it("runs the profile's threads at once with the same results, and rejects a bad threads", async () => {
    const profiles = "t:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      threads: 2\n";
    const root = project({ ...base, "profiles.yml": profiles });
    expect(loadProject(root).threads).toBe(2);
    const { w, results, failed, status } = await buildFresh(root);
    expect(status).toMatchObject({
      "model.t.doubled": "success",
      "model.t.broken": "error",
      "model.t.after_broken": "skipped",
      "test.t.unique_doubled_d": "pass",
    });
    expect(failed).toBe(1);
    // Results keep the DAG's order whatever order the nodes finished in.
    const ids = results.map((r) => r.unique_id);
    expect(ids.indexOf("model.t.stg_numbers")).toBeLessThan(ids.indexOf("model.t.doubled"));
    expect(ids.indexOf("model.t.broken")).toBeLessThan(ids.indexOf("model.t.after_broken"));
    expect(await w.all("select sum(d)::integer as s from marts.doubled")).toEqual([{ s: 20 }]);
    await w.close();
    const bad = project({ ...base, "profiles.yml": profiles.replace("threads: 2", "threads: none") });
    expect(() => loadProject(bad)).toThrow(/profiles.yml.*threads/);
  });

  it("a failing column test stops its model's descendants; the tests of a failed model are skipped", async () => {
    const root = project({
      ...base,
      "models/marts/repeated.sql": "select 1 as k union all select 1",
      "models/marts/after_repeated.sql": "select * from {{ ref('repeated') }}",
      "models/marts/_more.yml": [
        "version: 2",
        "models:",
        "  - name: repeated",
        "    columns:",
        "      - name: k",
        "        tests: [unique]",
        "  - name: broken",
        "    columns:",
        "      - name: no_such_column",
        "        tests: [not_null]",
      ].join("\n"),
    });
    const { w, status } = await buildFresh(root, { threads: 2 });
    expect(status).toMatchObject({
      "model.t.repeated": "success",
      "test.t.unique_repeated_k": "fail",
      "model.t.after_repeated": "skipped",
      "test.t.not_null_broken_no_such_column": "skipped",
    });
    await w.close();
  });

  it("reuses parsed YAML from target/partial_parse.json until a file changes", () => {
    const root = project(base);
    const first = loadProject(root);
    expect(readFileSync(path.join(root, "target/partial_parse.json"), "utf8")).toContain(
      "Twice each number.",
    );
    expect(loadProject(root).models.get("doubled")).toEqual(first.models.get("doubled"));
    const yml = path.join(root, "models/marts/_marts__models.yml");
    writeFileSync(yml, readFileSync(yml, "utf8").replace("Twice each number.", "Double."));
    expect(loadProject(root).models.get("doubled")?.description).toBe("Double.");
  });

  it("reports a dependency cycle by name", () => {
    const root = project({
      "models/marts/a.sql": "select * from {{ ref('b') }}",
      "models/marts/b.sql": "select * from {{ ref('a') }}",
    });
    expect(() => compileProject(loadProject(root))).toThrow(/dependency cycle in models: a -> b -> a/);
  });

  it("never writes the raw schema: a model aimed at it fails, and its siblings build", async () => {
    const root = project({
      ...base,
      "models/staging/stg_raw.sql": "{{ config(schema='raw') }}\nselect 1 as n",
    });
    const { w, byId, status } = await buildFresh(root);
    expect(byId["model.t.stg_raw"]).toMatchObject({ status: "error" });
    expect(byId["model.t.stg_raw"]?.message).toMatch(/stg_raw\.sql: models are never built in schema raw$/);
    expect(status["model.t.doubled"]).toBe("success");
    expect(await w.tableExists("raw", "stg_raw")).toBe(false);
    await w.close();
  });

  it("updates incremental models by unique_key", async () => {
    const root = project({
      "models/marts/inc.sql":
        "{{ config(materialized='incremental', unique_key='k') }}\nselect range as k, {{ var('v', 1) }} as v from range(3)\n{% if is_incremental() %}where range >= 1{% endif %}",
    });
    const w = await Warehouse.open({ path: ":memory:" });
    await buildProject(w, root, { runModels: true, runTests: false }, quiet);
    writeFileSync(
      path.join(root, "dbt_project.yml"),
      `${readFileSync(path.join(root, "dbt_project.yml"), "utf8")}vars:\n  v: 2\n`,
    );
    await buildProject(w, root, { runModels: true, runTests: false }, quiet);
    expect(await w.all("select k::integer as k, v::integer as v from marts.inc order by k")).toEqual([
      { k: 0, v: 1 },
      { k: 1, v: 2 },
      { k: 2, v: 2 },
    ]);
    await w.close();
  });

  it("builds an incremental model whole when its relation lacks a column the model now has (an upgrade)", async () => {
    const root = project({
      "models/marts/inc.sql":
        "{{ config(materialized='incremental', unique_key='k') }}\nselect range as k from range(3)\n{% if is_incremental() %}where range > (select max(k) from {{ this }}){% endif %}",
    });
    const w = await Warehouse.open({ path: ":memory:" });
    await buildProject(w, root, { runModels: true, runTests: false }, quiet);
    // The next version adds a column, and its incremental run reads it from the built relation.
    writeFileSync(
      path.join(root, "models/marts/inc.sql"),
      "{{ config(materialized='incremental', unique_key='k') }}\nselect range as k, range * 10 as since from range(4)\n{% if is_incremental() %}where since > (select max(since) from {{ this }}){% endif %}",
    );
    const { failed } = await buildProject(w, root, { runModels: true, runTests: false }, quiet);
    expect(failed).toBe(0);
    expect(await w.all("select k::integer as k, since::integer as since from marts.inc order by k")).toEqual(
      [0, 1, 2, 3].map((k) => ({ k, since: k * 10 })),
    );
    await w.close();
  });

  it("follows dbt's full_refresh config: true builds whole every run, false even under --full-refresh", async () => {
    const model = (fullRefresh: string) =>
      `{{ config(materialized='incremental', unique_key='k', full_refresh=${fullRefresh}) }}\nselect range as k, {{ var('v', 1) }} as v from range({{ var('n', 3) }})\n{% if is_incremental() %}where range >= 1{% endif %}`;
    const rows = (w: Warehouse) => w.all("select k::integer as k, v::integer as v from marts.inc order by k");
    for (const [setting, vars, flag, expected] of [
      // Whole every run: the new rows only, k = 0 rebuilt too.
      [
        "true",
        { v: 2, n: 2 },
        false,
        [
          { k: 0, v: 2 },
          { k: 1, v: 2 },
        ],
      ],
      // Never whole: k = 0 and k = 2 keep the first build's rows, although --full-refresh asks.
      [
        "false",
        { v: 2, n: 2 },
        true,
        [
          { k: 0, v: 1 },
          { k: 1, v: 2 },
          { k: 2, v: 1 },
        ],
      ],
    ] as const) {
      const root = project({ "models/marts/inc.sql": model(setting) });
      const w = await Warehouse.open({ path: ":memory:" });
      await buildProject(w, root, { runModels: true, runTests: false }, quiet);
      await buildProject(w, root, { runModels: true, runTests: false, fullRefresh: flag, vars }, quiet);
      expect(await rows(w)).toEqual(expected);
      await w.close();
    }
  });

  it("a test's where config limits the rows it reads (Jinja, invocation_id included); each build has its own id", async () => {
    const yml = (where: string) =>
      [
        "version: 2",
        "models:",
        "  - name: stamped",
        "    columns:",
        "      - name: v",
        "        tests:",
        "          - unique:",
        "              config:",
        `                where: "${where}"`,
      ].join("\n");
    // Two rows with v = 1: one stamped by an earlier build, one by this one.
    const model = "select 1 as v, 'earlier' as built_by union all select 1, '{{ invocation_id }}'";
    const files = { "models/marts/stamped.sql": model };
    const scoped = project({ ...files, "models/marts/_m.yml": yml("built_by = '{{ invocation_id }}'") });
    const whole = project({ ...files, "models/marts/_m.yml": yml("true") });
    const a = await buildFresh(scoped);
    expect(a.status["test.t.unique_stamped_v"]).toBe("pass");
    const b = await buildFresh(whole);
    expect(b.status["test.t.unique_stamped_v"]).toBe("fail");
    const runs = [scoped, whole].map(
      (root) =>
        JSON.parse(readFileSync(path.join(root, "target/run_results.json"), "utf8")).metadata.invocation_id,
    );
    expect(runs[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(runs[0]).not.toBe(runs[1]);
    expect(await a.w.all("select built_by from marts.stamped where built_by <> 'earlier'")).toEqual([
      { built_by: runs[0] },
    ]);
    await a.w.close();
    await b.w.close();
  });

  it("writes the data dictionary from the YAML", () => {
    const md = renderDataDictionary(loadProject(project(base)));
    expect(md).toContain("## marts.doubled\n\nTwice each number.");
    expect(md).toContain("| `d` | The doubled value. | unique; not null; one of 0, 2, 4, 6 (warn) |");
  });

  it("runs singular tests from tests/: rows are failures, warn by config, skipped after a failed model", async () => {
    const root = project({
      ...base,
      "tests/assert_doubled_even.sql": "select * from {{ ref('doubled') }} where d % 2 <> 0",
      "tests/assert_doubled_small.sql":
        "{{ config(severity='warn') }}\nselect * from {{ ref('doubled') }} where d > 4",
      "tests/assert_doubled_none.sql": "select * from {{ ref('doubled') }} where d >= 0",
      "tests/assert_broken_empty.sql": "select * from {{ ref('broken') }}",
    });
    const w = await Warehouse.open({ path: ":memory:" });
    const { results } = await buildProject(w, root, { runModels: true, runTests: true }, quiet);
    const byId = Object.fromEntries(results.map((r) => [r.unique_id, r]));
    expect(byId["test.t.assert_doubled_even"]).toMatchObject({ status: "pass", failures: 0 });
    expect(byId["test.t.assert_doubled_small"]).toMatchObject({ status: "warn", failures: 2 });
    expect(byId["test.t.assert_doubled_none"]).toMatchObject({ status: "fail", failures: 5 });
    expect(byId["test.t.assert_broken_empty"]?.status).toBe("skipped");
    // Not selected: its model is not in the selection, so it does not run.
    const only = await buildProject(
      w,
      root,
      { select: "stg_numbers", runModels: true, runTests: true },
      quiet,
    );
    expect(only.results.some((r) => r.unique_id.startsWith("test.t.assert_"))).toBe(false);
    await w.close();
  });

  it("an incremental run refs a model by the schema its own config() sets", async () => {
    const root = project({
      "models/staging/stg_numbers.sql": "{{ config(schema='elsewhere') }}\nselect range as n from range(3)",
      "models/marts/kept.sql": [
        "{{ config(materialized='incremental', unique_key='n') }}",
        "select n from {{ ref('stg_numbers') }}",
        "{% if is_incremental() %} where n >= (select max(n) from {{ this }}) {% endif %}",
      ].join("\n"),
    });
    const w = await Warehouse.open({ path: ":memory:" });
    for (const run of [1, 2]) {
      const { results } = await buildProject(w, root, { runModels: true, runTests: false }, quiet);
      expect({ run, failed: results.filter((r) => r.status === "error").map((r) => r.message) }).toEqual({
        run,
        failed: [],
      });
    }
    expect(await w.all("select count(*)::int as n from marts.kept")).toEqual([{ n: 3 }]);
    await w.close();
  });

  it("gives a dict var Jinja's items(), keys() and values(), nested dicts too", async () => {
    const root = project({
      "models/marts/pairs.sql": [
        "{% set t = var('tags') %}",
        "{% for k, v in t.pairs.items() %}select '{{ k }}' as k, '{{ v }}' as v union all {% endfor %}",
        "select '{{ t.keys() | join(\",\") }}' as k, '{{ t.pairs.values() | join(\",\") }}' as v",
      ].join("\n"),
    });
    const w = await Warehouse.open({ path: ":memory:" });
    await buildProject(
      w,
      root,
      { runModels: true, runTests: false, vars: { tags: { pairs: { a: "1", b: "2" }, more: [] } } },
      quiet,
    );
    expect(await w.all("select k, v from marts.pairs order by k")).toEqual([
      { k: "a", v: "1" },
      { k: "b", v: "2" },
      { k: "pairs,more", v: "1,2" },
    ]);
    await w.close();
  });

  it("writes external models as Parquet partitions and rewrites only the partitions an incremental run touches", async () => {
    const root = project({
      "models/staging/stg_numbers.sql": "select range as n from range(6)",
      "models/marts/by_parity.sql": [
        "{{ config(materialized='external', unique_key='p', options={'partition_by': 'p'}) }}",
        "select n, case when n % 2 = 0 then 'even' else 'odd' end as p, {{ var('version') }} as v",
        "from {{ ref('stg_numbers') }}",
        "{% if is_incremental() %} where {{ var('incremental_rows', 'n % 2 = 1') }} {% endif %}",
      ].join("\n"),
      // Read inside each build, right after the partitions are rewritten (Parquet footers are
      // cached during builds: a rewritten file must not be read through the old one).
      "models/marts/versions.sql": "select p, max(v) as v from {{ ref('by_parity') }} group by p",
    });
    const externalRoot = tempDir();
    const w = await Warehouse.open({ path: ":memory:" });
    const build = (version: number, fullRefresh = false, incrementalRows?: string) =>
      buildProject(
        w,
        root,
        {
          runModels: true,
          runTests: false,
          vars: { version, ...(incrementalRows ? { incremental_rows: incrementalRows } : {}) },
          externalRoot,
          fullRefresh,
        },
        quiet,
      );
    const rows = () =>
      w.all<{ p: string; v: string; n: string }>(
        "select p, max(v)::varchar as v, count(*)::varchar as n from marts.by_parity group by 1 order by 1",
      );
    await build(1);
    expect(readdirSync(path.join(externalRoot, "by_parity")).sort()).toEqual(["p=even", "p=odd"]);
    expect(await rows()).toEqual([
      { p: "even", v: "1", n: "3" },
      { p: "odd", v: "1", n: "3" },
    ]);
    await build(2); // incremental: only the odd partition is rewritten
    expect(await rows()).toEqual([
      { p: "even", v: "1", n: "3" },
      { p: "odd", v: "2", n: "3" },
    ]);
    await build(3, false, "n > 100"); // incremental with no rows: every partition stays
    expect(await rows()).toEqual([
      { p: "even", v: "1", n: "3" },
      { p: "odd", v: "2", n: "3" },
    ]);
    await build(4, false, "n >= 4"); // rows in both partitions: each is replaced by its own rows
    expect(await rows()).toEqual([
      { p: "even", v: "4", n: "1" },
      { p: "odd", v: "4", n: "1" },
    ]);
    expect(readdirSync(path.join(externalRoot, "by_parity")).sort()).toEqual(["p=even", "p=odd"]);
    await build(3, true);
    expect(await rows()).toEqual([
      { p: "even", v: "3", n: "3" },
      { p: "odd", v: "3", n: "3" },
    ]);
    expect(await w.all("select p, v::varchar as v from marts.versions order by p")).toEqual([
      { p: "even", v: "3" },
      { p: "odd", v: "3" },
    ]);
    expect(readdirSync(externalRoot)).toEqual(["by_parity"]);
    expect(readdirSync(path.join(externalRoot, "by_parity", "p=odd"))).toHaveLength(1);
    await w.close();
  });

  it("renders run_query and execute as dbt does: rows at build time (also from a macro and in a transaction), none at compile", async () => {
    const root = project({
      "macros/biggest.sql": [
        "{% macro biggest_literal(relation) -%}",
        "{%- set r = run_query('select max(n) as m from ' ~ relation) -%}",
        "{%- for row in r.rows %}{{ row[0] }}{% else %}-1{% endfor -%}",
        "{%- endmacro %}",
      ].join("\n"),
      "models/staging/stg_numbers.sql": "select range as n from range({{ var('upto', 3) }})",
      "models/marts/seen.sql": [
        "{{ config(materialized='incremental', unique_key='n') }}",
        "{% set names = run_query('select 1 as one, 2 as two') %}",
        "select n, {{ 'true' if execute else 'false' }} as executed,",
        '  \'{{ names.column_names | join("/") if execute else "" }}\' as columns,',
        "  {{ names.columns[1].values()[0] if execute else 0 }} as second",
        "from {{ ref('stg_numbers') }}",
        "{% if is_incremental() %} where n > {{ biggest_literal(this) }} {% endif %}",
      ].join("\n"),
    });
    const compiled = compileProject(loadProject(root)).get("seen")!.sql;
    expect(compiled).toContain("false as executed");
    const w = await Warehouse.open({ path: ":memory:" });
    const build = (upto: number) =>
      buildProject(w, root, { runModels: true, runTests: false, vars: { upto } }, quiet);
    await build(3);
    expect(
      await w.all("select n::int as n, executed, columns, second::int as second from marts.seen order by n"),
    ).toEqual([
      { n: 0, executed: true, columns: "one/two", second: 2 },
      { n: 1, executed: true, columns: "one/two", second: 2 },
      { n: 2, executed: true, columns: "one/two", second: 2 },
    ]);
    // Incremental: the macro's query reads the table (max 2), inside the materialization's transaction.
    await build(5);
    expect(await w.all("select count(*)::int as n, max(n)::int as m from marts.seen")).toEqual([
      { n: 5, m: 4 },
    ]);
    await w.close();
  });
});
