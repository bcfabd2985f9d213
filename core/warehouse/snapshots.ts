/**
 * Parquet snapshots of every mart in data/marts/, written after each build, for
 * readers that must not hold the warehouse's write lock (report build, analysts).
 * Each file is written beside its final name and renamed, so readers never see half a file.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { produceFileAtomic } from "../files.ts";
import { lit } from "../sql.ts";
import type { Warehouse } from "./warehouse.ts";

export async function exportMarts(warehouse: Warehouse, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const tables = await warehouse.all<{ name: string }>(
    // Views in marts are external models: Parquet under this folder already.
    "select table_name as name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1",
  );
  const files: string[] = [];
  for (const { name } of tables) {
    const file = path.join(dir, `${name}.parquet`);
    await produceFileAtomic(file, (partial) =>
      warehouse.run(`copy marts.${name} to ${lit(partial)} (format parquet, compression zstd)`),
    );
    files.push(file);
  }
  return files;
}
