// Shared by the data loaders: query the marts' Parquet snapshots (never the
// warehouse file, which the pipeline may hold open for writing).
import { DuckDBInstance } from "@duckdb/node-api";

export async function queryMarts(sql) {
  const dir = process.env.CCO_MARTS_DIR;
  if (!dir) throw new Error("CCO_MARTS_DIR is not set: build the report with `cco report`");
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const mart = (name) => `read_parquet('${dir.replaceAll("'", "''")}/${name}.parquet')`;
  const reader = await connection.runAndReadAll(sql(mart));
  const rows = reader.getRowObjectsJson();
  connection.closeSync();
  instance.closeSync();
  return rows;
}
