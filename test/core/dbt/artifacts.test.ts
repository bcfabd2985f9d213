/** target/manifest.json: models, data tests and sources, with the edges between them. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { buildFresh, project } from "./helpers.ts";

const files = {
  "models/staging/_sources.yml": [
    "version: 2",
    "sources:",
    "  - name: landing",
    "    tables:",
    "      - name: numbers",
  ].join("\n"),
  "models/staging/stg_numbers.sql": "select n from {{ source('landing', 'numbers') }}",
  "models/marts/doubled.sql": "select n, n * 2 as d from {{ ref('stg_numbers') }}",
  "models/marts/summed.sql": "select sum(d) as total from {{ ref('doubled') }}",
  "models/marts/_marts__models.yml": [
    "version: 2",
    "models:",
    "  - name: doubled",
    "    columns:",
    "      - name: d",
    "        tests: [not_null]",
    "      - name: n",
    "        tests:",
    "          - relationships:",
    "              to: ref('stg_numbers')",
    "              field: n",
  ].join("\n"),
  "tests/assert_total_positive.sql": "select * from {{ ref('summed') }} where total <= 0",
};

describe("manifest.json", () => {
  it("holds every model, test and source, and parent_map / child_map say who reads whom", async () => {
    const root = project(files);
    const w = await Warehouse.open({ path: ":memory:" });
    await w.run("create schema landing; create table landing.numbers as select range as n from range(1, 4)");
    // Only stg_numbers is selected and tests are off: the manifest is still the whole project's.
    const { failed } = await buildFresh(root, { select: "stg_numbers", runTests: false }, w);
    expect(failed).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(root, "target/manifest.json"), "utf8"));
    const src = "source.t.landing.numbers";
    const stg = "model.t.stg_numbers";
    const doubled = "model.t.doubled";
    const summed = "model.t.summed";
    const notNull = "test.t.not_null_doubled_d";
    const rel = "test.t.relationships_doubled_n";
    const singular = "test.t.assert_total_positive";
    expect(Object.keys(manifest.nodes).sort()).toEqual([doubled, stg, summed, singular, notNull, rel].sort());
    expect(manifest.nodes[notNull]).toMatchObject({
      resource_type: "test",
      attached_node: doubled,
      column_name: "d",
      original_file_path: "models/marts/_marts__models.yml",
      test_metadata: { name: "not_null" },
      depends_on: { nodes: [doubled] },
      config: { severity: "ERROR" },
    });
    expect(manifest.nodes[notNull].compiled_code).toContain("marts.doubled");
    // A relationships test reads both models.
    expect(manifest.nodes[rel].depends_on.nodes).toEqual([doubled, stg]);
    expect(manifest.nodes[singular]).toMatchObject({
      resource_type: "test",
      original_file_path: "tests/assert_total_positive.sql",
      depends_on: { nodes: [summed] },
    });
    expect(manifest.nodes[stg].depends_on.nodes).toEqual([src]);
    expect(manifest.parent_map).toEqual({
      [src]: [],
      [stg]: [src],
      [doubled]: [stg],
      [summed]: [doubled],
      [notNull]: [doubled],
      [rel]: [doubled, stg],
      [singular]: [summed],
    });
    expect(manifest.child_map).toEqual({
      [src]: [stg],
      [stg]: [doubled, rel],
      [doubled]: [summed, notNull, rel].sort(),
      [summed]: [singular],
      [notNull]: [],
      [rel]: [],
      [singular]: [],
    });
    await w.close();
  });

  it("a relationships test waits for the model it points to and is skipped when that model fails", async () => {
    const root = project({
      ...files,
      "models/staging/stg_numbers.sql": "select no_such_column from {{ source('landing', 'numbers') }}",
      "models/marts/doubled.sql": "select range as n, range * 2 as d from range(3)",
    });
    const w = await Warehouse.open({ path: ":memory:" });
    await w.run("create schema landing; create table landing.numbers as select range as n from range(1, 4)");
    const { status } = await buildFresh(root, {}, w);
    expect(status).toMatchObject({
      "model.t.stg_numbers": "error",
      "model.t.doubled": "success",
      "test.t.not_null_doubled_d": "pass",
      "test.t.relationships_doubled_n": "skipped",
    });
    await w.close();
  });
});
