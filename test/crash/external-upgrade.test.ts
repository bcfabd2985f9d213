/**
 * An external model last written by the folder-swap version (a view globbing its folder), with
 * what a kill inside that swap left: a partition only under `<part>.old` (killed between the two
 * renames) and one both as itself and as `<part>.old` (killed before the old one was removed),
 * which the glob counted twice. The next incremental write restores the first, drops the second's
 * copy, and leaves a view that names its files.
 */
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeExternal } from "../../core/dbt/materializations/external.ts";
import type { ModelConfig } from "../../core/dbt/render.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { tempDir } from "../helpers/tmp.ts";

const config: ModelConfig = {
  materialized: "external",
  schema: "marts",
  unique_key: "p",
  partition_by: "p",
  tags: [],
};

describe("an external model written by the folder-swap version, killed inside a swap", () => {
  it("is read whole again by the next incremental write", async () => {
    const dir = path.join(tempDir(), "m");
    const w = await Warehouse.open({ path: ":memory:" });
    const write = async (folder: string, p: string, v: number) => {
      mkdirSync(path.join(dir, folder), { recursive: true });
      await w.run(`copy (select '${p}' as p, ${v} as v) to '${path.join(dir, folder, "d.parquet")}'`);
    };
    await write("p=a", "a", 1);
    await write("p=b.old", "b", 1); // only the old copy: killed between the renames
    await write("p=c", "c", 2);
    await write("p=c.old", "c", 1); // both: killed before the old one was removed
    await w.run(
      `create view marts.m as select * from read_parquet('${dir}/*/*.parquet', union_by_name = true)`,
    );
    const rows = () => w.all<{ p: string; v: number }>("select p, v from marts.m order by p, v");
    expect(await rows()).toHaveLength(4); // the glob's double count

    await writeExternal(w, "marts.m", dir, "select 'a' as p, 3 as v", config, "select 'a' as p, 3 as v");
    expect(await rows()).toEqual([
      { p: "a", v: 3 },
      { p: "b", v: 1 },
      { p: "c", v: 2 },
    ]);
    expect(readdirSync(dir).sort()).toEqual(["p=a", "p=b", "p=c"]);
    expect(readdirSync(path.join(dir, "p=a"))).toHaveLength(1);
    expect(existsSync(`${dir}.partial`)).toBe(false);
    await w.close();
  });
});
