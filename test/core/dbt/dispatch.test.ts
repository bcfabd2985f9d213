import { describe, expect, it } from "vitest";
import { compileProject } from "../../../core/dbt/compile.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { renderMacro } from "../../../core/dbt/render.ts";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { project } from "./helpers.ts";

const PROFILES =
  "t:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n    bq: {type: bigquery, dataset: d}\n";

describe("adapter.dispatch", () => {
  const macros = [
    "{% macro greet(x) %}{{ return(adapter.dispatch('greet', 't')(x)) }}{% endmacro %}",
    "{% macro default__greet(x) %}hello {{ x }}{% endmacro %}",
    "{% macro bigquery__greet(x) %}bonjour {{ x }}{% endmacro %}",
    // A macro calling a dispatched macro resolves it for the model's target too.
    "{% macro greet_twice(x) %}{{ greet(x) }}, {{ greet(x) }}{% endmacro %}",
    "{% macro only_duckdb() %}{{ adapter.dispatch('nowhere')() }}{% endmacro %}",
    "{% macro duckdb__nowhere() %}duck{% endmacro %}",
    "{% macro elsewhere() %}{{ adapter.dispatch('greet', 'dbt_utils')('x') }}{% endmacro %}",
  ].join("\n");
  const files = {
    "profiles.yml": PROFILES,
    "macros/greet.sql": macros,
    "models/staging/stg_greeting.sql":
      "select '{{ greet_twice('you') }}' as g, {{ adapter.quote('a b') }} as q",
  };

  it("takes <adapter>__name, else default__name, from inside other macros as from the model", () => {
    const root = project(files);
    expect(compileProject(loadProject(root)).get("stg_greeting")!.sql).toBe(
      `select 'hello you, hello you' as g, "a b" as q`,
    );
    expect(compileProject(loadProject(root, { target: "bq" })).get("stg_greeting")!.sql).toBe(
      "select 'bonjour you, bonjour you' as g, `a b` as q",
    );
  });

  it("names what it looked for when no macro answers, and a package it does not have", () => {
    const root = project({ ...files, "models/staging/stg_nowhere.sql": "select '{{ only_duckdb() }}' as x" });
    expect(compileProject(loadProject(root)).get("stg_nowhere")!.sql).toBe("select 'duck' as x");
    expect(() => compileProject(loadProject(root, { target: "bq" }))).toThrow(
      /adapter\.dispatch: no bigquery__nowhere or default__nowhere macro/,
    );
    const other = project({ ...files, "models/staging/stg_other.sql": "select '{{ elsewhere() }}' as x" });
    expect(() => compileProject(loadProject(other))).toThrow(/no package dbt_utils/);
  });
});

describe("the project's cross-database macros", () => {
  const duckdb = loadProject(PROJECT_ROOT);
  const bigquery = loadProject(PROJECT_ROOT, { target: "bigquery" });
  const both = (name: string, ...args: unknown[]) => [
    renderMacro(duckdb, name, ...args),
    renderMacro(bigquery, name, ...args),
  ];

  it("write on DuckDB exactly what the models wrote before, and GoogleSQL on BigQuery", () => {
    expect(both("typecast", "linked_account_id", "varchar")).toEqual([
      "linked_account_id::varchar",
      "cast(linked_account_id as STRING)",
    ]);
    expect(both("cast", "x", "decimal(38, 18)")).toEqual([
      "cast(x as decimal(38, 18))",
      "cast(x as BIGNUMERIC(38, 18))",
    ]);
    expect(both("safe_cast", "size_gb", "double")).toEqual([
      "try_cast(size_gb as double)",
      "safe_cast(size_gb as FLOAT64)",
    ]);
    expect(both("typecast", "tags", "json")).toEqual(["tags::json", "to_json_string(parse_json(tags))"]);
    expect(both("dateadd", "month", 1, "d")).toEqual([
      "d + interval 1 month",
      "datetime_add(cast(d as datetime), interval 1 month)",
    ]);
    expect(both("days_before", "(select max(d) from t)", 7)).toEqual([
      "(select max(d) from t) - 7",
      "date_sub((select max(d) from t), interval 7 day)",
    ]);
    expect(both("datediff", "a", "b", "day")).toEqual(["b - a", "date_diff(b, a, day)"]);
    expect(both("regexp_contains", "x", "'\\bgke\\b'")).toEqual([
      "regexp_matches(x, '\\bgke\\b')",
      "regexp_contains(x, r'\\bgke\\b')",
    ]);
    expect(both("regexp_extract", "id", "'orders/([^/]+)'", 1)).toEqual([
      "regexp_extract(id, 'orders/([^/]+)', 1)",
      "if(id is null, null, coalesce(regexp_extract(id, r'orders/([^/]+)'), ''))",
    ]);
    expect(both("agg_where", "count", "*", "q > 0")).toEqual([
      "count(*) filter (where q > 0)",
      "countif(q > 0)",
    ]);
    expect(both("agg_where", "sum", "cost", "is_before")).toEqual([
      "sum(cost) filter (where is_before)",
      "sum(case when is_before then cost end)",
    ]);
    expect(both("percentile", "cpu", 0.95)).toEqual([
      "quantile_cont(cpu, 0.95)",
      "approx_quantiles(cpu, 1000)[offset(950)]",
    ]);
    expect(both("struct_field", "project", "id")).toEqual(["project ->> 'id'", "project.id"]);
    expect(both("json_text", "tags", "cost-center")).toEqual([
      "tags ->> 'cost-center'",
      `json_value(tags, '$."cost-center"')`,
    ]);
    expect(both("string_literal", "the export's")).toEqual(["'the export''s'", "'the export\\'s'"]);
    expect(both("values_table", ["'covered'", "'rest'"], "p", "part")).toEqual([
      "(values ('covered'), ('rest')) p(part)",
      "(select 'covered' as part union all select 'rest') p",
    ]);
    expect(
      both(
        "tuple_in",
        ["a", "b"],
        [
          ["1", "2"],
          ["3", "4"],
        ],
      ),
    ).toEqual(["(a, b) in ((1, 2), (3, 4))", "((a = 1 and b = 2) or (a = 3 and b = 4))"]);
    expect(both("union_all_by_name")).toEqual(["union all by name", "full outer union all by name"]);
    expect(both("star_exclude", "tags")).toEqual(["* exclude (tags)", "* except (tags)"]);
    expect(both("raw_column", "lineItem/UsageStartDate")).toEqual([
      `"lineItem/UsageStartDate"`,
      "`lineItem_UsageStartDate`",
    ]);
    expect(both("money", "cost", "null")[1]).toBe("SAFE_CAST(CAST(cost AS STRING) AS BIGNUMERIC(38, 10))");
  });

  it("translate DuckDB's type names to BigQuery's (decimals by precision and scale, TIMESTAMP without zone as DATETIME)", () => {
    const bq = (type: string) => renderMacro(bigquery, "bigquery_type", type);
    expect(["varchar", "VARCHAR", "double", "bigint", "integer", "boolean", "date", "json"].map(bq)).toEqual([
      "STRING",
      "STRING",
      "FLOAT64",
      "INT64",
      "INT64",
      "BOOL",
      "DATE",
      "STRING",
    ]);
    expect(
      ["timestamp", "timestamptz", "decimal(18, 2)", "decimal(38, 10)", "DECIMAL(38,9)", "decimal(7, 2)"].map(
        bq,
      ),
    ).toEqual([
      "DATETIME",
      "TIMESTAMP",
      "NUMERIC(18, 2)",
      "BIGNUMERIC(38, 10)",
      "NUMERIC(38, 9)",
      "NUMERIC(7, 2)",
    ]);
  });
});
