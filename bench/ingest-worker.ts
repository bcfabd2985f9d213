/** One measured load in a fresh process: ingest the given files, print JSON with wall time and peak RSS. */
import { createProgress } from "../core/log.ts";
import { Warehouse } from "../core/warehouse/warehouse.ts";
import { ingestPaths } from "../ingest/load.ts";

const [warehousePath, lakeDir, ...files] = process.argv.slice(2);
const t0 = performance.now();
const warehouse = await Warehouse.open({ path: warehousePath!, memoryLimit: "3GB", threads: 2 });
const results = await ingestPaths(warehouse, files, { lakeDir: lakeDir! }, createProgress({ quiet: true }));
await warehouse.close();
process.stdout.write(
  `${JSON.stringify({
    seconds: (performance.now() - t0) / 1000,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    rows: results.reduce((s, r) => s + r.rows, 0),
    statuses: results.map((r) => r.status),
  })}\n`,
);
