/**
 * dbt's seed materialization: a CSV file loaded as a table, replaced whole in one transaction.
 * The table's comment records what it was loaded from (the file's checksum and the seed's
 * config): a seed whose file and config are unchanged is not reloaded, unless --full-refresh.
 * Column types are the seed's column_types; DuckDB infers the others from the whole file.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { countRows, lit } from "../../sql.ts";
import type { Warehouse } from "../../warehouse/warehouse.ts";
import { type SeedNode, seedChecksum } from "../seeds.ts";

/** What the seed's table comment says when it holds this file loaded with this config. */
export function seedMarker(root: string, seed: SeedNode): string {
  const config = createHash("sha256")
    .update(JSON.stringify([seed.config.column_types, seed.config.delimiter]))
    .digest("hex")
    .slice(0, 16);
  return `dbt seed ${seed.file} sha256:${seedChecksum(root, seed)} config:${config}`;
}

/** Load the seed unless its table holds this content already; the rows loaded, or undefined when unchanged. */
export async function loadSeed(
  warehouse: Warehouse,
  root: string,
  seed: SeedNode,
  fullRefresh: boolean,
): Promise<number | undefined> {
  const marker = seedMarker(root, seed);
  const [schema, name] = seed.relation.split(".") as [string, string];
  if (!fullRefresh) {
    const [table] = await warehouse.all<{ comment: string | null }>(
      "SELECT comment FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2",
      [schema, name],
    );
    if (table?.comment === marker) return undefined;
  }
  const types = Object.entries(seed.config.column_types)
    .map(([column, type]) => `${lit(column)}: ${lit(type)}`)
    .join(", ");
  const read = [
    lit(path.join(root, seed.file)),
    "header = true",
    `delim = ${lit(seed.config.delimiter)}`,
    "quote = '\"'",
    "escape = '\"'",
    // Seeds are small: types are inferred from every row, as dbt's loader reads them all.
    "sample_size = -1",
    ...(types ? [`types = {${types}}`] : []),
  ].join(", ");
  return warehouse.transaction(async (tx) => {
    await tx.run(`DROP VIEW IF EXISTS ${seed.relation}`).catch(() => undefined);
    await tx.run(`CREATE OR REPLACE TABLE ${seed.relation} AS SELECT * FROM read_csv(${read})`);
    await tx.run(`COMMENT ON TABLE ${seed.relation} IS ${lit(marker)}`);
    return countRows(tx, seed.relation);
  });
}
