/** DuckDB's own floor for the same file, in a fresh process: COPY (SELECT * FROM read_<format>(…)) TO zstd Parquet. */
import { DuckDBInstance } from "@duckdb/node-api";

const [source, target, reader] = process.argv.slice(2);
const t0 = performance.now();
const instance = await DuckDBInstance.create(":memory:", { memory_limit: "3GB", threads: "2" });
const con = await instance.connect();
await con.run(
  `COPY (SELECT * FROM ${reader}('${source}')) TO '${target}' (FORMAT parquet, COMPRESSION zstd)`,
);
con.closeSync();
instance.closeSync();
process.stdout.write(
  `${JSON.stringify({ seconds: (performance.now() - t0) / 1000, peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
