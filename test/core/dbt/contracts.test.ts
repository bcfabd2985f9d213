/** dbt's model contracts: the YAML's columns and types are the relation's, checked before it is built. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contractColumns } from "../../../core/dbt/contracts.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { buildFresh, project } from "./helpers.ts";

/** A contracted mart: k integer, label text, amount decimal(18, 2), in that order. */
const contracted = (sql: string, materialized = "table") => ({
  "models/marts/priced.sql": `{{ config(materialized='${materialized}') }}\n${sql}`,
  "models/marts/after_priced.sql": "select * from {{ ref('priced') }}",
  "models/marts/_marts__models.yml": [
    "version: 2",
    "models:",
    "  - name: priced",
    "    config:",
    "      contract: {enforced: true}",
    "    columns:",
    "      - {name: k, data_type: integer}",
    "      - {name: label, data_type: text}",
    "      - {name: amount, data_type: 'decimal(18, 2)'}",
  ].join("\n"),
});

const describeTypes = async (w: { all<T>(sql: string): Promise<T[]> }, relation: string) =>
  (await w.all<{ column_name: string; column_type: string }>(`DESCRIBE ${relation}`)).map(
    (c) => `${c.column_name} ${c.column_type}`,
  );

describe("model contracts", () => {
  it("builds a contracted model with the contract's columns, in its order, whatever the SQL's order", async () => {
    for (const materialized of ["table", "view", "incremental", "external"]) {
      const root = project(
        contracted("select 'a' as label, 1.5::decimal(18, 2) as amount, 7::integer as k", materialized),
      );
      const { w, status } = await buildFresh(root, { externalRoot: tempDir() });
      expect({ materialized, status: status["model.t.priced"] }).toEqual({ materialized, status: "success" });
      expect(await describeTypes(w, "marts.priced")).toEqual([
        "k INTEGER",
        "label VARCHAR",
        "amount DECIMAL(18,2)",
      ]);
      expect(await w.all("select k, label, amount::varchar as amount from marts.priced")).toEqual([
        { k: 7, label: "a", amount: "1.50" },
      ]);
      await w.close();
    }
  });

  it("fails a model whose SQL lacks a contracted column, naming it, and builds nothing", async () => {
    const { w, byId, status } = await buildFresh(project(contracted("select 1::integer as k, 'a' as label")));
    expect(byId["model.t.priced"]).toMatchObject({ status: "error" });
    expect(byId["model.t.priced"]?.message).toMatch(
      /models\/marts\/priced\.sql: the SQL does not meet its enforced contract: missing column amount$/,
    );
    expect(status["model.t.after_priced"]).toBe("skipped");
    expect(await w.tableExists("marts", "priced")).toBe(false);
    await w.close();
  });

  it("fails a model with columns the contract does not name, and names every problem at once", async () => {
    const sql = "select 1::integer as k, 'a' as label, 1.5::decimal(18, 2) as amount, 2 as extra, 3 as more";
    const { w, byId } = await buildFresh(project(contracted(sql)));
    expect(byId["model.t.priced"]?.message).toMatch(/contract: columns not in the contract extra, more$/);
    const both = await buildFresh(project(contracted("select 1::integer as k, 1.5 as amount, 2 as extra")));
    expect(both.byId["model.t.priced"]?.message).toMatch(
      /contract: missing column label; column not in the contract extra; amount is DECIMAL\(2,1\), the contract says DECIMAL\(18,2\)$/,
    );
    await w.close();
    await both.w.close();
  });

  it("fails a column whose SQL type differs from the declared one, as dbt does", async () => {
    const { w, byId } = await buildFresh(
      project(contracted("select 1::integer as k, 'a' as label, 1.5::double as amount")),
    );
    expect(byId["model.t.priced"]?.message).toMatch(/amount is DOUBLE, the contract says DECIMAL\(18,2\)$/);
    await w.close();
  });

  it("takes the contract from config() in the SQL as well, and needs a data_type on every column", async () => {
    const files = contracted("select 1 as k");
    files["models/marts/_marts__models.yml"] = files["models/marts/_marts__models.yml"]!.replace(
      "    config:\n      contract: {enforced: true}\n",
      "",
    ).replace("{name: label, data_type: text}", "{name: label}");
    files["models/marts/priced.sql"] = "{{ config(contract={'enforced': true}) }}\nselect 1 as k";
    const { w, byId } = await buildFresh(project(files));
    expect(byId["model.t.priced"]?.message).toMatch(
      /_marts__models\.yml: priced: an enforced contract needs a data_type on label$/,
    );
    await w.close();
    expect(() => contractColumns(loadProject(project(files)), "priced")).toThrow(/data_type on label/);
    const open = project({ "models/marts/loose.sql": "select 1 as k" });
    expect(() => contractColumns(loadProject(open), "loose")).toThrow(/loose: no enforced contract/);
  });

  it("lets a template cast to the contract through dbt's model.columns", async () => {
    const sql = [
      "with rows as (select 7 as k, 'a' as label, 1.5 as amount)",
      "select",
      "{%- for column in model.columns.values() %}",
      '    cast({{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}',
      "{%- endfor %}",
      "from rows",
    ].join("\n");
    const { w, status } = await buildFresh(project(contracted(sql)));
    expect(status["model.t.priced"]).toBe("success");
    expect(await describeTypes(w, "marts.priced")).toEqual([
      "k INTEGER",
      "label VARCHAR",
      "amount DECIMAL(18,2)",
    ]);
    await w.close();
  });

  it("focus_costs' contract is FOCUS 1.2: every column of the spec, and only x_ columns besides", () => {
    const columns = contractColumns(loadProject(PROJECT_ROOT), "focus_costs");
    const rules = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "core/focus/model-1.2.json"), "utf8")) as {
      ModelRules: Record<string, { EntityType?: string; Reference: string }>;
    };
    const spec = new Set(
      Object.values(rules.ModelRules)
        .filter((r) => r.EntityType === "Column")
        .map((r) => r.Reference),
    );
    const names = columns.map((c) => c.name);
    expect([...spec].filter((name) => !names.includes(name))).toEqual([]);
    expect(names.filter((name) => !spec.has(name) && !name.startsWith("x_"))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
    expect(columns.find((c) => c.name === "BilledCost")?.data_type).toBe("decimal(38, 10)");
  });
});
