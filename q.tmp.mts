import { DuckDBInstance } from "@duckdb/node-api";
const inst = await DuckDBInstance.create("/tmp/bm/w.duckdb", { threads: "2", memory_limit: "3GB" });
const con = await inst.connect();
for (const q of process.argv.slice(2)) {
  const t0 = performance.now();
  await con.run(`CREATE OR REPLACE TEMP TABLE t AS ${q}`);
  console.log(((performance.now() - t0) / 1000).toFixed(2), "s ", q.slice(0, 120));
}
