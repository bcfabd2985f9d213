/** dbt seeds in our runner: CSV files loaded as tables that models ref, with their config, tests and artifacts. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../../core/dbt/project.ts";
import { compileProject } from "../../../core/dbt/runner.ts";
import { selectModels } from "../../../core/dbt/selection.ts";
import { buildFresh, project } from "./helpers.ts";

const DBT_PROJECT = [
  "name: t",
  "version: '1'",
  "config-version: 2",
  'seed-paths: ["seeds"]',
  "models:",
  "  t:",
  "    marts:",
  "      +materialized: table",
  "      +schema: marts",
  "seeds:",
  "  t:",
  "    +schema: marts",
  "    ref_data:",
  "      sizes:",
  "        +column_types:",
  "          vcpu: integer",
  "",
].join("\n");

const SEEDS_YML = [
  "version: 2",
  "seeds:",
  "  - name: sizes",
  "    description: Sizes and their shapes.",
  "    config:",
  "      column_types:",
  "        hourly: decimal(18,6)",
  "    columns:",
  "      - name: size",
  "        description: The size's name.",
  "        data_tests: [unique, not_null]",
  "      - name: family",
  "        data_tests: [not_null]",
  "  - name: regions",
  "    columns:",
  "      - name: region",
  "        data_tests: [unique]",
].join("\n");

const files = {
  "dbt_project.yml": DBT_PROJECT,
  "seeds/ref_data/sizes.csv":
    "size,family,vcpu,hourly,burstable\nm6i.large,m6i,2,0.096,false\nt3.medium,t3,2,0.0416,true\n",
  "seeds/regions.csv": "region\nus-east-1\neu-west-1\n",
  "seeds/_seeds.yml": SEEDS_YML,
  "models/marts/priced.sql":
    "select s.size, s.hourly * 730 as monthly, r.region from {{ ref('sizes') }} s cross join {{ ref('regions') }} r",
};

describe("dbt seeds", () => {
  it("loads each CSV as a table in its configured schema, with its column_types, before the models that ref it", async () => {
    const root = project(files);
    const { w, failed, status, byId, results } = await buildFresh(root);
    expect(failed).toBe(0);
    expect(status).toMatchObject({
      "seed.t.sizes": "success",
      "seed.t.regions": "success",
      "test.t.unique_sizes_size": "pass",
      "test.t.not_null_sizes_size": "pass",
      "test.t.not_null_sizes_family": "pass",
      "test.t.unique_regions_region": "pass",
      "model.t.priced": "success",
    });
    expect(byId["seed.t.sizes"]!.message).toBe("INSERT 2");
    // A seed and its generic tests come before the model that refs it.
    const ids = results.map((r) => r.unique_id);
    expect(ids.indexOf("test.t.unique_sizes_size")).toBeLessThan(ids.indexOf("model.t.priced"));
    // vcpu from dbt_project.yml, hourly from the YAML (merged), the rest inferred.
    expect(await w.columns("marts", "sizes")).toEqual([
      { name: "size", type: "VARCHAR" },
      { name: "family", type: "VARCHAR" },
      { name: "vcpu", type: "INTEGER" },
      { name: "hourly", type: "DECIMAL(18,6)" },
      { name: "burstable", type: "BOOLEAN" },
    ]);
    expect(
      await w.all(
        "select size, monthly::VARCHAR as m from marts.priced where region = 'eu-west-1' order by 1",
      ),
    ).toEqual([
      { size: "m6i.large", m: "70.080000" },
      { size: "t3.medium", m: "30.368000" },
    ]);
    await w.close();
  });

  it("records seeds in the manifest (resource type, checksum, column types) and as the parents of the models that ref them", async () => {
    const root = project(files);
    const { w } = await buildFresh(root);
    await w.close();
    const manifest = JSON.parse(readFileSync(path.join(root, "target/manifest.json"), "utf8"));
    const seed = manifest.nodes["seed.t.sizes"];
    expect(seed).toMatchObject({
      resource_type: "seed",
      name: "sizes",
      original_file_path: path.join("seeds", "ref_data", "sizes.csv"),
      path: "ref_data/sizes.csv",
      fqn: ["t", "ref_data", "sizes"],
      relation_name: "marts.sizes",
      description: "Sizes and their shapes.",
      patch_path: "t://seeds/_seeds.yml",
      config: {
        materialized: "seed",
        schema: "marts",
        column_types: { vcpu: "integer", hourly: "decimal(18,6)" },
      },
      depends_on: { nodes: [] },
    });
    expect(seed.checksum.name).toBe("sha256");
    expect(seed.checksum.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.nodes["model.t.priced"].depends_on.nodes).toEqual(["seed.t.sizes", "seed.t.regions"]);
    expect(manifest.nodes["test.t.unique_sizes_size"]).toMatchObject({
      attached_node: "seed.t.sizes",
      depends_on: { nodes: ["seed.t.sizes"] },
    });
    expect(manifest.child_map["seed.t.sizes"]).toContain("model.t.priced");
  });

  it("reloads a seed only when its file or its column types changed, or on a full refresh", async () => {
    const root = project(files);
    const first = await buildFresh(root);
    const w = first.w;
    const again = await buildFresh(root, {}, w);
    expect(again.byId["seed.t.sizes"]!.message).toBe("unchanged, not reloaded");
    expect(again.byId["seed.t.regions"]!.message).toBe("unchanged, not reloaded");
    writeFileSync(path.join(root, "seeds/regions.csv"), "region\nus-east-1\neu-west-1\nus-west-2\n");
    const changed = await buildFresh(root, {}, w);
    expect(changed.byId["seed.t.regions"]!.message).toBe("INSERT 3");
    expect(changed.byId["seed.t.sizes"]!.message).toBe("unchanged, not reloaded");
    expect(await w.all("select count(*)::integer as n from marts.priced")).toEqual([{ n: 6 }]);
    // Another column type reloads (the table's type changes with it).
    writeFileSync(path.join(root, "seeds/_seeds.yml"), SEEDS_YML.replace("decimal(18,6)", "decimal(18,4)"));
    const retyped = await buildFresh(root, {}, w);
    expect(retyped.byId["seed.t.sizes"]!.message).toBe("INSERT 2");
    expect((await w.columns("marts", "sizes")).find((c) => c.name === "hourly")?.type).toBe("DECIMAL(18,4)");
    const full = await buildFresh(root, { fullRefresh: true }, w);
    expect(full.byId["seed.t.regions"]!.message).toBe("INSERT 3");
    await w.close();
  });

  it("a failing seed test stops the models after it; a seed that cannot load fails and skips its children", async () => {
    const duplicated = project({
      ...files,
      "seeds/ref_data/sizes.csv":
        "size,family,vcpu,hourly,burstable\nm6i.large,m6i,2,0.096,false\nm6i.large,,2,0.1,false\n",
    });
    const a = await buildFresh(duplicated);
    expect(a.status).toMatchObject({
      "seed.t.sizes": "success",
      "test.t.unique_sizes_size": "fail",
      "model.t.priced": "skipped",
    });
    await a.w.close();
    const untypable = project({
      ...files,
      "seeds/ref_data/sizes.csv": "size,family,vcpu,hourly,burstable\nm6i.large,m6i,two,0.096,false\n",
    });
    const b = await buildFresh(untypable);
    expect(b.status).toMatchObject({
      "seed.t.sizes": "error",
      "seed.t.regions": "success",
      "test.t.unique_sizes_size": "skipped",
      "model.t.priced": "skipped",
    });
    expect(b.byId["seed.t.sizes"]!.message).toMatch(/^seeds\/ref_data\/sizes\.csv: /);
    await b.w.close();
  });

  it("seeds load in a build and a `seed` run, not in a `run` or a `test` (as dbt's commands)", async () => {
    const root = project(files);
    const run = await buildFresh(root, { runTests: false, runSeeds: false });
    expect(run.status["seed.t.sizes"]).toBeUndefined();
    expect(run.status["model.t.priced"]).toBe("error");
    const seedOnly = await buildFresh(root, { runModels: false, runTests: false, runSeeds: true }, run.w);
    expect(Object.keys(seedOnly.status).sort()).toEqual(["seed.t.regions", "seed.t.sizes"]);
    const test = await buildFresh(root, { runModels: false, runTests: true }, run.w);
    expect(test.status).toMatchObject({ "test.t.unique_sizes_size": "pass" });
    expect(test.status["seed.t.sizes"]).toBeUndefined();
    await run.w.close();
  });

  it("selects seeds as nodes: +model takes the seeds it reads, seed+ its children, a plain model none", async () => {
    const p = loadProject(project(files));
    const models = compileProject(p);
    expect([...selectModels(models, "+priced", p.seeds)].sort()).toEqual(["priced", "regions", "sizes"]);
    expect([...selectModels(models, "sizes+", p.seeds)].sort()).toEqual(["priced", "sizes"]);
    expect([...selectModels(models, "path:seeds/ref_data", p.seeds)]).toEqual(["sizes"]);
    expect([...selectModels(models, "priced", p.seeds)]).toEqual(["priced"]);
    expect(models.get("priced")!.sql).toContain("from marts.sizes s cross join marts.regions r");
  });

  it("refuses a seed named like a model, and properties for a seed that does not exist", () => {
    expect(() =>
      loadProject(project({ ...files, "models/marts/regions.sql": "select 1 as region" })),
    ).toThrow(/a model is also named regions/);
    const ghost = `${SEEDS_YML}\n  - name: ghost\n`;
    expect(() => loadProject(project({ ...files, "seeds/_seeds.yml": ghost }))).toThrow(
      /ghost.*no such seed file/,
    );
  });
});
