/**
 * Which SQL the assistant may run: one query, reading only the marts and ML tables. Checked in
 * three layers before anything binds: the statement's first word (`cco sql`'s leadingWord), the
 * parse tree DuckDB gives without binding (json_serialize_sql, which serializes SELECTs only:
 * every table must be in marts or ml, every table function harmless), then the kind of the
 * prepared statement (SELECT). The connection under it is locked down too (readonly-sql.ts):
 * this is what decides, not a hope that the model behaves.
 */
import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from "@duckdb/node-api";
import { CcoError } from "../core/errors.ts";
import { leadingWord, splitStatements, statementKind } from "../orchestrator/cli/sql-runner.ts";

/** The schemas a query may read. */
export const READABLE_SCHEMAS: readonly string[] = ["marts", "ml"];
/** Catalog metadata (names and types of columns): readable too. */
const METADATA_SCHEMAS = ["information_schema", "pg_catalog"];
/** Table functions that read nothing but their arguments. */
const TABLE_FUNCTIONS = new Set(["range", "generate_series", "unnest", "json_each", "json_tree"]);
/** Words a query the assistant runs may start with. */
const QUERY_WORDS = new Set(["select", "with", "from", "values", "table", "describe", "desc", "summarize"]);

/** The statement was refused: it would write, or read outside the marts. The reason goes back to the model. */
export class RefusedQuery extends CcoError {}

/** The statement was allowed but DuckDB could not run it (a wrong column, a type error, the time limit). */
export class FailedQuery extends CcoError {}

const ONLY = "only one read-only query (SELECT … FROM marts.* or ml.*) runs here";

/**
 * The prepared statement when `sql` is one query over the readable schemas; RefusedQuery naming
 * why otherwise, FailedQuery when it does not parse or bind.
 */
export async function preparedQuery(
  connection: DuckDBConnection,
  sql: string,
  database: string,
): Promise<DuckDBPreparedStatement> {
  const texts = splitStatements(sql);
  if (texts.length === 0) throw new RefusedQuery("no statement to run");
  if (texts.length > 1) throw new RefusedQuery(`${texts.length} statements refused: ${ONLY}`);
  const word = leadingWord(texts[0]!);
  if (!QUERY_WORDS.has(word)) {
    throw new RefusedQuery(`${word ? `${word.toUpperCase()} statement` : "this statement"} refused: ${ONLY}`);
  }
  const tree = await parseTree(connection, texts[0]!);
  const refusal = refusalOf(tree, database);
  if (refusal) throw new RefusedQuery(`refused: ${refusal}; ${ONLY}`);
  const extracted = await connection.extractStatements(texts[0]!).catch((error: unknown) => {
    throw new FailedQuery(message(error));
  });
  if (extracted.count !== 1) throw new RefusedQuery(`${extracted.count} statements refused: ${ONLY}`);
  const prepared = await extracted.prepare(0).catch((error: unknown) => {
    throw new FailedQuery(message(error));
  });
  if (prepared.statementType !== StatementType.SELECT) {
    throw new RefusedQuery(`${statementKind(prepared.statementType)} statement refused: ${ONLY}`);
  }
  return prepared;
}

/** DuckDB's parse tree of one statement, parsed and not bound (nothing it names is touched). */
async function parseTree(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll("select json_serialize_sql($1::varchar) as tree", [sql]);
  const tree = JSON.parse(String(reader.getRowObjectsJson()[0]!.tree)) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
  };
  if (!tree.error) return tree;
  if (tree.error_type === "parser" || !/only select/i.test(tree.error_message ?? "")) {
    throw new FailedQuery(tree.error_message ?? "the statement does not parse");
  }
  throw new RefusedQuery(`this statement refused: ${ONLY}`);
}

interface Node {
  [key: string]: unknown;
}

/**
 * Why the parsed statement may not run, or undefined. Every table it names must be in a readable
 * (or metadata) schema, unqualified (the search path is the readable schemas) or a CTE of the
 * query; a catalog, when named, must be the connection's own database; table functions must be
 * ones that read only their arguments (read_csv, glob, query and checkpoint are not).
 */
export function refusalOf(tree: unknown, database: string): string | undefined {
  const problems: string[] = [];
  const allowed = new Set([...READABLE_SCHEMAS, ...METADATA_SCHEMAS]);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== "object") return;
    const node = value as Node;
    if (node.type === "BASE_TABLE") {
      const schema = String(node.schema_name ?? "");
      const catalog = String(node.catalog_name ?? "");
      const name = [catalog, schema, String(node.table_name ?? "")].filter(Boolean).join(".");
      if (catalog && catalog !== database) problems.push(`${name} is in another database`);
      else if (schema && !allowed.has(schema.toLowerCase()))
        problems.push(`${name} is outside the readable schemas (${READABLE_SCHEMAS.join(", ")})`);
    } else if (node.type === "TABLE_FUNCTION") {
      const fn = (node.function ?? {}) as Node;
      const name = String(fn.function_name ?? "");
      if (!TABLE_FUNCTIONS.has(name.toLowerCase()))
        problems.push(`the table function ${name}() is not allowed`);
    } else if (node.type === "SHOW_REF" && !node.query) {
      problems.push("SHOW lists the whole catalog (the describe_tables tool lists the readable tables)");
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(tree);
  return problems.length ? [...new Set(problems)].join("; ") : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
