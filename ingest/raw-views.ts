/**
 * The raw views: `raw.<table>` is a view over the table's current lake files (ops.load_parts),
 * and ingest alone creates and replaces them. Each view carries every column the dbt project
 * declares for that source (models/staging/<provider>/_<provider>__sources.yml) from the moment
 * it is created: a column an export lacks reads as a typed NULL. A declared source nothing has
 * landed in yet is an empty view of its declared columns, so the models compile on any
 * warehouse. A raw view therefore never changes shape between an ingest and the next build.
 */
import { loadProject, type SourceTable } from "../core/dbt/project.ts";
import { PROJECT_ROOT } from "../core/paths.ts";
import { ident, lit, litList } from "../core/sql.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import { currentLakeFiles } from "./ledger.ts";

type Declared = { name: string; type: string }[];

let declaredByTable: Map<string, Declared> | undefined;

/** Every `raw` source the dbt project declares, by relation (raw.<identifier>), with its columns. */
export function declaredRawSources(): Map<string, Declared> {
  if (!declaredByTable) {
    declaredByTable = new Map();
    for (const source of loadProject(PROJECT_ROOT).sources.filter((s: SourceTable) => s.schema === "raw")) {
      const relation = `raw.${source.identifier}`;
      const columns = declaredByTable.get(relation) ?? [];
      for (const c of source.columns)
        if (!columns.some((have) => have.name.toLowerCase() === c.name.toLowerCase()))
          columns.push({ name: c.name, type: c.data_type ?? "VARCHAR" });
      declaredByTable.set(relation, columns);
    }
  }
  return declaredByTable;
}

/** Point raw.<table> at its current lake files, with every declared column (inside the load's transaction). */
export async function refreshRawView(tx: TransactionScope, rawTable: string): Promise<void> {
  const files = await currentLakeFiles(tx, rawTable);
  const declared = declaredRawSources().get(rawTable) ?? [];
  // An empty placeholder table (older warehouses made them for the models) gives way to the view.
  const [kind] = await tx.all<{ kind: string }>(
    `SELECT 'table' AS kind FROM duckdb_tables() WHERE schema_name = 'raw' AND table_name = $1
     UNION ALL SELECT 'view' FROM duckdb_views() WHERE schema_name = 'raw' AND view_name = $1`,
    [rawTable.slice("raw.".length)],
  );
  if (kind?.kind === "table") await tx.run(`DROP TABLE ${rawTable}`);
  if (!files.length) {
    if (declared.length) await tx.run(`CREATE OR REPLACE VIEW ${rawTable} AS ${emptyRows(declared)}`);
    else if (kind?.kind === "view") await tx.run(`DROP VIEW ${rawTable}`);
    return;
  }
  const read = `read_parquet([${litList(files)}], union_by_name = true)`;
  const have = new Set<string>();
  for (const file of files) for (const column of await lakeFileColumns(tx, file)) have.add(column);
  const missing = declared.filter((c) => !have.has(c.name.toLowerCase()));
  const padding = missing.map((c) => `, NULL::${c.type} AS ${ident(c.name)}`).join("");
  await tx.run(`CREATE OR REPLACE VIEW ${rawTable} AS SELECT *${padding} FROM ${read}`);
}

/**
 * A lake file's column names (lower case), read once per process: lake files are never rewritten
 * under their name. Describing every file of a table at each load read all their footers, again
 * and again (a hundred daily files: a second of a small ingest).
 */
const columnsOfLakeFile = new Map<string, string[]>();
async function lakeFileColumns(tx: TransactionScope, file: string): Promise<string[]> {
  let columns = columnsOfLakeFile.get(file);
  if (!columns) {
    columns = (
      await tx.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${lit(file)})`)
    ).map((c) => c.column_name.toLowerCase());
    columnsOfLakeFile.set(file, columns);
  }
  return columns;
}

/**
 * Every declared raw source exists with every declared column: those nothing has landed in as
 * empty views of their declared columns; a view made before the project declared a column it now
 * reads (a warehouse of an earlier version) is made again. Run before a build on any warehouse,
 * and by every ingest.
 */
export async function ensureRawViews(warehouse: Warehouse): Promise<void> {
  const existing = new Map<string, Set<string>>();
  for (const r of await warehouse.all<{ name: string; column_name: string }>(
    "SELECT table_name AS name, lower(column_name) AS column_name FROM duckdb_columns() WHERE schema_name = 'raw'",
  )) {
    const relation = `raw.${r.name}`;
    existing.set(relation, (existing.get(relation) ?? new Set()).add(r.column_name));
  }
  for (const [relation, columns] of declaredRawSources()) {
    if (!columns.length) continue;
    const have = existing.get(relation);
    if (!have) await warehouse.run(`CREATE VIEW IF NOT EXISTS ${relation} AS ${emptyRows(columns)}`);
    else if (columns.some((c) => !have.has(c.name.toLowerCase())))
      await warehouse.transaction((tx) => refreshRawView(tx, relation));
  }
}

function emptyRows(columns: Declared): string {
  return `SELECT ${columns.map((c) => `NULL::${c.type} AS ${ident(c.name)}`).join(", ")} WHERE false`;
}

/**
 * The rows landed in a raw table exactly as the exports had them (plus the lake's `_` columns),
 * without the declared columns the view pads: for checking a file as it is (FOCUS conformance
 * of an export decides on the columns it has). A subquery, usable wherever a relation is.
 */
export async function landedRelation(warehouse: Warehouse, rawTable: string): Promise<string> {
  const files = await currentLakeFiles(warehouse, rawTable);
  if (!files.length) return rawTable;
  return `(SELECT * FROM read_parquet([${litList(files)}], union_by_name = true))`;
}
