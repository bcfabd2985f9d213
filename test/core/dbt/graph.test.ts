/** The dependency graph comes from the refs the rendered models call, not from the raw text. */
import { describe, expect, it } from "vitest";
import { childrenOf, dependencyOrder, parentsOf, parseModels, topoSort } from "../../../core/dbt/graph.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { compileProject } from "../../../core/dbt/runner.ts";
import { project } from "./helpers.ts";

const refsOf = (files: Record<string, string>) =>
  Object.fromEntries([...parseModels(loadProject(project(files)))].map(([name, m]) => [name, m.refs]));

describe("dependency graph", () => {
  it("has an edge for each ref the template calls, however it is called, and none for refs it does not call", () => {
    const refs = refsOf({
      "dbt_project.yml": "name: t\nversion: '1'\nconfig-version: 2\nvars:\n  with_c: true\n",
      "models/a.sql": "select 1 as n",
      "models/b.sql": "select 2 as n",
      "models/c.sql": "select 3 as n",
      "models/d.sql": "select 4 as n",
      "models/e.sql": "select 5 as n",
      "macros/twice.sql":
        "{% macro twice(relation) %}select * from {{ relation }} union all select * from {{ relation }}{% endmacro %}",
      "models/child.sql": [
        "{# select * from {{ ref('a') }} (an old version) #}",
        "{% if var('with_b', false) %}select * from {{ ref('b') }} union all{% endif %}",
        "{% if var('with_c') %}select * from {{ ref('c') }} union all{% endif %}",
        "-- depends_on: {{ ref('d') }}",
        "{{ twice(ref('e')) }}",
      ].join("\n"),
    });
    expect(refs.child).toEqual(["c", "d", "e"]);
    expect(refs.a).toEqual([]);
  });

  it("takes the refs a macro calls, and var(), as the calling model's (dbt's macros see the model's context)", () => {
    const files = {
      "dbt_project.yml": "name: t\nversion: '1'\nconfig-version: 2\nvars:\n  days: 7\n",
      "models/base.sql": "select current_date as d",
      "macros/window.sql":
        "{% macro last_days() %}d > (select max(d) from {{ ref('base') }}) - {{ var('days') }}{% endmacro %}",
      "models/child.sql": "select 1 as n where {{ last_days() }}",
    };
    expect(refsOf(files).child).toEqual(["base"]);
    const compiled = compileProject(loadProject(project(files)));
    expect(compiled.get("child")!.sql).toBe("select 1 as n where d > (select max(d) from main.base) - 7");
  });

  it("orders parents first, ties by name, whatever order the files come in", () => {
    const root = project({
      "models/z_base.sql": "select 1 as n",
      "models/m_mid.sql": "select * from {{ ref('z_base') }}",
      "models/a_top.sql": "select * from {{ ref('m_mid') }} join {{ ref('b_side') }} using (n)",
      "models/b_side.sql": "select * from {{ ref('z_base') }}",
      "models/c_alone.sql": "select 1 as n",
    });
    expect(topoSort(loadProject(root)).map((m) => m.name)).toEqual([
      "z_base",
      "m_mid",
      "b_side",
      "a_top",
      "c_alone",
    ]);
    expect([...compileProject(loadProject(root)).keys()]).toEqual([
      "z_base",
      "m_mid",
      "b_side",
      "a_top",
      "c_alone",
    ]);
  });

  it("does not see a cycle in refs the templates never call", () => {
    const root = project({
      "models/a.sql": "select * from {{ ref('b') }}",
      "models/b.sql":
        "{% if false %}select * from {{ ref('a') }}{% endif %}\n{# {{ ref('a') }} #}\nselect 1 as n",
    });
    expect(topoSort(loadProject(root)).map((m) => m.name)).toEqual(["b", "a"]);
  });

  it("reports a cycle with the models in it, in ref order", () => {
    const root = project({
      "models/a.sql": "select * from {{ ref('b') }}",
      "models/b.sql": "select * from {{ ref('c') }}",
      "models/c.sql": "select * from {{ ref('a') }}",
      "models/d.sql": "select * from {{ ref('a') }}",
    });
    expect(() => topoSort(loadProject(root))).toThrow("dependency cycle in models: a -> b -> c -> a");
    expect(() => compileProject(loadProject(root))).toThrow("dependency cycle in models: a -> b -> c -> a");
    const selfRef = project({ "models/s.sql": "select * from {{ ref('s') }}" });
    expect(() => topoSort(loadProject(selfRef))).toThrow("dependency cycle in models: s -> s");
  });

  it("inverts parents into children", () => {
    const parents = new Map([
      ["x", []],
      ["y", ["x"]],
      ["z", ["x", "y"]],
    ]);
    expect(Object.fromEntries(childrenOf(parents))).toEqual({ x: ["y", "z"], y: ["z"] });
    expect(dependencyOrder(parents)).toEqual(["x", "y", "z"]);
    const parsed = parseModels(
      loadProject(project({ "models/p.sql": "select 1", "models/q.sql": "select * from {{ ref('p') }}" })),
    );
    expect(Object.fromEntries(parentsOf(parsed))).toEqual({ p: [], q: ["p"] });
  });
});
