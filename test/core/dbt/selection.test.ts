/** dbt's selection syntax over a compiled project. */
import { describe, expect, it } from "vitest";
import { compileProject } from "../../../core/dbt/compile.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { selectModels } from "../../../core/dbt/selection.ts";
import { base, project } from "./helpers.ts";

/** A diamond under a chain, in two folders, with tags from the project file and from config(). */
const diamond = {
  "dbt_project.yml": [
    "name: t",
    "version: '1'",
    "config-version: 2",
    "models:",
    "  t:",
    "    staging:",
    "      +schema: staging",
    "      +tags: [raw_facing]",
    "    marts:",
    "      +schema: marts",
  ].join("\n"),
  "models/staging/src.sql": "select 1 as n",
  "models/staging/left.sql": "select * from {{ ref('src') }}",
  "models/staging/right.sql": "{{ config(tags=['finance']) }}\nselect * from {{ ref('src') }}",
  "models/marts/joined.sql": "select * from {{ ref('left') }}, {{ ref('right') }}",
  "models/marts/report.sql": "{{ config(tags=['finance']) }}\nselect * from {{ ref('joined') }}",
  // Named in a Jinja comment only: no edge, so neither selector below reaches it through report.
  "models/marts/aside.sql": "{# select * from {{ ref('report') }} #}\nselect 2 as n",
};

describe("selectModels", () => {
  const names = (files: Record<string, string>) => {
    const models = compileProject(loadProject(project(files)));
    return (s: string | undefined) => [...selectModels(models, s)].sort();
  };

  it("selects by name, ancestors (+name), descendants (name+), tag and path", () => {
    const select = names(base);
    expect(select("doubled")).toEqual(["doubled"]);
    expect(select("+doubled")).toEqual(["doubled", "stg_numbers"]);
    expect(select("stg_numbers+")).toEqual(["after_broken", "broken", "doubled", "stg_numbers"]);
    expect(select("tag:math")).toEqual(["doubled"]);
    expect(select("path:models/staging")).toEqual(["stg_numbers"]);
    expect(() => select("nothing")).toThrow(/--select nothing matches no model/);
  });

  it("walks the whole graph both ways, joins several selectors, and selects everything when empty", () => {
    const select = names(diamond);
    expect(select("+joined")).toEqual(["joined", "left", "right", "src"]);
    expect(select("right+")).toEqual(["joined", "report", "right"]);
    expect(select("+left+")).toEqual(["joined", "left", "report", "src"]);
    expect(select("left right")).toEqual(["left", "right"]);
    expect(select("tag:finance path:models/staging/left.sql")).toEqual(["left", "report", "right"]);
    // Folder tags from dbt_project.yml and tags from config() both count.
    expect(select("tag:raw_facing")).toEqual(["left", "right", "src"]);
    expect(select("report+")).toEqual(["report"]);
    expect(select("+aside")).toEqual(["aside"]);
    expect(select(undefined)).toEqual(["aside", "joined", "left", "report", "right", "src"]);
    expect(select("  ")).toEqual(["aside", "joined", "left", "report", "right", "src"]);
    expect(() => select("left tag:nothing")).toThrow(/--select tag:nothing matches no model/);
  });
});
