/**
 * Run in a child process with a TZ (DuckDB reads the host's zone once a process): prints, as JSON,
 * each warehouse connection's TimeZone and the billing day of 2026-08-31T23:00Z.
 */
import { ReadOnlySql } from "../../../assistant/readonly-sql.ts";
import { loadConfig } from "../../../core/config.ts";
import { exportMarts } from "../../../core/warehouse/snapshots.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";

const PROBE =
  "SELECT current_setting('TimeZone') AS zone, ('2026-08-31T23:00:00Z'::TIMESTAMPTZ)::DATE::VARCHAR AS day";
const config = loadConfig({ dataDir: process.argv[2]!, env: {} });
const out: Record<string, unknown> = {};
const w = await Warehouse.open({ path: config.warehouse.path, threads: 1 });
const session = await w.session();
out.writer = (await w.all(PROBE))[0];
out.writerSession = (await session.all(PROBE))[0];
await w.run("CREATE TABLE marts.cost_daily AS SELECT 1 AS n");
await exportMarts(w, config.paths.marts);
await session.close();
await w.close();
const limits = { maxRows: 1, timeoutMs: 10_000 };
for (const [name, open] of [
  ["assistantOverWarehouse", () => ReadOnlySql.overWarehouseFile(config)],
  ["assistantOverSnapshots", () => ReadOnlySql.overSnapshots(config)],
] as const) {
  const sql = await open();
  out[name] = (await sql.objects(PROBE, limits))[0];
  sql.close();
}
process.stdout.write(JSON.stringify(out));
