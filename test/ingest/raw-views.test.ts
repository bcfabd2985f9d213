/** The raw views a build reads: every declared source, with every declared column. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { declaredRawSources, ensureRawViews } from "../../ingest/raw-views.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const columnsOf = async (w: Warehouse, view: string) =>
  (
    await w.all<{ c: string }>(
      `select column_name c from duckdb_columns() where schema_name = 'raw' and table_name = '${view}'`,
    )
  ).map((r) => r.c);

it("remakes a raw view an earlier version made without a column the project now declares", async () => {
  const w = await Warehouse.open({ path: ":memory:" });
  await w.run("CREATE SCHEMA IF NOT EXISTS raw");
  // As an earlier version left it: nothing landed, and no _load_id declared for metrics.
  await w.run(
    "CREATE VIEW raw.metrics_hourly AS SELECT NULL::TIMESTAMPTZ AS timestamp, NULL::VARCHAR AS resource_id WHERE false",
  );
  await ensureRawViews(w);
  const declared = declaredRawSources()
    .get("raw.metrics_hourly")!
    .map((c) => c.name);
  expect(declared).toContain("_load_id");
  expect(await columnsOf(w, "metrics_hourly")).toEqual(declared);
  expect(await w.all("select * from raw.metrics_hourly")).toEqual([]);
  await w.close();
});

it("leaves a raw view over landed files as it is, rows and all", async () => {
  const dir = tempDir();
  const file = path.join(dir, "metrics", "aws", "month=2026-10", "metrics.csv");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    "timestamp,provider,resource_id,cpu_avg_pct,cpu_max_pct,memory_avg_pct,memory_max_pct,network_in_bytes,network_out_bytes,disk_read_bytes,disk_write_bytes\n" +
      "2026-10-01T00:00:00Z,aws,i-1,5,9,,,10,10,0,0\n",
  );
  const w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [file], { lakeDir: path.join(dir, "lake") }, quiet);
  const [before] = await w.all<{ sql: string }>(
    "select sql from duckdb_views() where schema_name = 'raw' and view_name = 'metrics_hourly'",
  );
  await ensureRawViews(w);
  const [after] = await w.all<{ sql: string }>(
    "select sql from duckdb_views() where schema_name = 'raw' and view_name = 'metrics_hourly'",
  );
  expect(after).toEqual(before);
  expect(await w.all("select resource_id, _load_id is not null as loaded from raw.metrics_hourly")).toEqual([
    { resource_id: "i-1", loaded: true },
  ]);
  await w.close();
});
