/** A dbt project written for a test, and a build of it in a fresh warehouse. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type BuildOptions, buildProject } from "../../../core/dbt/runner.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

/** Models in staging and marts: a macro, a tag, a failing model and its child, column tests. */
export const base = {
  "models/staging/stg_numbers.sql": "select range as n from range(5)",
  "models/marts/doubled.sql":
    "{{ config(tags=['math']) }}\nselect {{ double('n') }} as d from {{ ref('stg_numbers') }}",
  "models/marts/broken.sql": "select no_such_column from {{ ref('stg_numbers') }}",
  "models/marts/after_broken.sql": "select * from {{ ref('broken') }}",
  "models/marts/_marts__models.yml": [
    "version: 2",
    "models:",
    "  - name: doubled",
    "    description: Twice each number.",
    "    columns:",
    "      - name: d",
    "        description: The doubled value.",
    "        tests:",
    "          - unique",
    "          - not_null",
    "          - accepted_values:",
    "              values: [0, 2, 4, 6]",
    "              config: {severity: warn}",
  ].join("\n"),
};

/** The project's files under a new folder (dbt_project.yml and a double() macro unless given). */
export function project(files: Record<string, string>): string {
  const root = tempDir();
  const all: Record<string, string> = {
    "dbt_project.yml":
      "name: t\nversion: '1'\nconfig-version: 2\nmodels:\n  t:\n    staging:\n      +materialized: view\n      +schema: staging\n    marts:\n      +materialized: table\n      +schema: marts\n",
    "macros/double.sql": "{% macro double(x) %}({{ x }} * 2){% endmacro %}",
    ...files,
  };
  for (const [file, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** A build of the project in a fresh in-memory warehouse (or `w`), with each node's status by unique id. */
export async function buildFresh(root: string, options: Partial<BuildOptions> = {}, w?: Warehouse) {
  const warehouse = w ?? (await Warehouse.open({ path: ":memory:" }));
  const { results, failed } = await buildProject(
    warehouse,
    root,
    { runModels: true, runTests: true, ...options },
    quiet,
  );
  return {
    w: warehouse,
    results,
    failed,
    status: Object.fromEntries(results.map((r) => [r.unique_id, r.status])),
    byId: Object.fromEntries(results.map((r) => [r.unique_id, r])),
  };
}
