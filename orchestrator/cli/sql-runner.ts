/**
 * `cco sql`: the user's SQL on the warehouse. Read-only unless --write: the file is opened
 * with DuckDB's access_mode READ_ONLY, and only queries run, since read-only mode alone still
 * lets COPY … TO, EXPORT DATABASE, ATTACH, INSTALL, SET and friends through. DuckDB's parser
 * splits the SQL and its prepared statements say each one's kind: SELECT (which DESCRIBE,
 * SHOW, SUMMARIZE, FROM and table pragmas are too) and EXPLAIN pass, any other is refused
 * (one that does not even start like a query, before DuckDB binds it: see checkedQuery).
 * Nothing runs unless every statement passes. Several statements give several results.
 *
 * Read-only also confines what a query can read: file access is limited to the lake and marts
 * folders (what the raw views and external models read) and the configuration is locked, so
 * `select * from read_text('/etc/passwd')` or a glob over the home folder is refused, and no
 * later statement can lift that.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  StatementType,
} from "@duckdb/node-api";
import type { Config } from "../../core/config.ts";
import { CcoError, UsageError } from "../../core/errors.ts";
import { useUtc } from "../../core/warehouse/session.ts";
import type { ResultSet } from "../format-table.ts";

/** Statement kinds that only read. */
const QUERIES = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);

/** DuckDB's name for a statement kind, as a reader would say it. */
export function statementKind(type: StatementType): string {
  if (type === StatementType.LOAD) return "INSTALL/LOAD";
  return (StatementType[type] ?? `type ${type}`).replaceAll("_", " ");
}

export interface SqlOutcome {
  /** Statements in the SQL. */
  statements: number;
  /** One per statement that ran, in order. */
  results: ResultSet[];
  /** What stopped the statements after the results (they ran; the rest did not). */
  error?: UsageError;
}

export async function runSql(
  config: Pick<Config, "warehouse" | "paths">,
  sql: string,
  options: { write: boolean; note: (message: string) => void },
): Promise<SqlOutcome> {
  const instance = await open(config, options);
  const connection = await instance.connect();
  try {
    await useUtc(connection);
    if (!options.write) await confine(connection, config);
    /** DuckDB's message, with what to do about a refusal ending its first line (before any LINE 1: pointer). */
    const explained = (text: string) => {
      const hint = /read-only mode/i.test(text)
        ? " (--write opens the warehouse for writing)"
        : /disabled by configuration/i.test(text)
          ? ` (without --write, cco sql reads the warehouse and files under ${config.paths.lake} and ${config.paths.marts} only)`
          : "";
      return text.replace(/\n|$/, `${hint}$&`);
    };
    const texts = splitStatements(sql);
    if (!texts.length) throw new UsageError("sql: no statement to run");
    const extracted = await connection.extractStatements(sql).catch((error: unknown) => {
      throw new UsageError(`sql: ${message(error).replace(/^Failed to extract statements: /, "")}`);
    });
    const count = extracted.count;
    if (count === 0) throw new UsageError("sql: no statement to run");
    const label = (i: number) => (count > 1 ? `statement ${i + 1}: ` : "");
    const prepare = (i: number) =>
      extracted.prepare(i).catch((error: unknown) => {
        throw new UsageError(`sql: ${label(i)}${explained(message(error))}`);
      });
    // Read-only: every statement is checked before any runs. With --write, each is
    // prepared after the one before ran (it may create what the next reads).
    const prepared: DuckDBPreparedStatement[] = [];
    if (!options.write) {
      for (let i = 0; i < count; i++) {
        const text = texts.length === count ? texts[i] : undefined;
        prepared.push(await checkedQuery(connection, () => prepare(i), text, label(i)));
      }
    }
    const results: ResultSet[] = [];
    for (let i = 0; i < count; i++) {
      try {
        const statement = prepared[i] ?? (await prepare(i));
        const reader = await statement.runAndReadAll();
        results.push({ columns: reader.columnNames(), rows: reader.getRowsJson() as unknown[][] });
      } catch (error) {
        if (error instanceof UsageError) return { statements: count, results, error };
        return {
          statements: count,
          results,
          error: new UsageError(`sql: ${label(i)}${explained(message(error))}`),
        };
      }
    }
    return { statements: count, results };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Words a query can start with (after comments and opening parentheses). */
const QUERY_WORDS = new Set([
  "select",
  "with",
  "from",
  "values",
  "table",
  "describe",
  "desc",
  "show",
  "summarize",
  "explain",
  "pragma",
  "pivot",
  "pivot_wider",
  "unpivot",
  "pivot_longer",
]);

/** The statement's first word, lower case ("" when it starts otherwise). */
export function leadingWord(text: string): string {
  return /^[\s(]*([A-Za-z_]+)/.exec(stripComments(text))?.[1]?.toLowerCase() ?? "";
}

/**
 * The prepared statement when it is a query; a usage error naming its kind otherwise. A
 * statement that does not even start like a query is refused before DuckDB binds it, since
 * binding can already act (binding EXPORT DATABASE creates its folder); every other one is
 * refused or passed on the kind DuckDB gives it. An EXPLAIN ANALYZE runs its statement, so
 * that statement is checked too.
 */
async function checkedQuery(
  connection: DuckDBConnection,
  prepare: () => Promise<DuckDBPreparedStatement>,
  text: string | undefined,
  label: string,
): Promise<DuckDBPreparedStatement> {
  const refuse = (what: string, kind: string) =>
    new UsageError(
      `sql: ${label}${what} refused: without --write, cco sql runs queries only (SELECT, EXPLAIN, DESCRIBE, ` +
        `SHOW, SUMMARIZE, …); --write allows ${kind}`,
    );
  const word = text === undefined ? undefined : leadingWord(text);
  if (word !== undefined && !QUERY_WORDS.has(word)) {
    const kind = word.toUpperCase() || "this";
    throw refuse(`${word ? kind : "a"} statement`, kind);
  }
  // An EXPLAIN ANALYZE of what is not even worded as a query is refused before binding, too.
  const analyzedWord = text === undefined ? undefined : leadingWord(explainAnalyzeTarget(text) ?? "select");
  if (analyzedWord !== undefined && !QUERY_WORDS.has(analyzedWord)) {
    const kind = analyzedWord.toUpperCase() || "A STATEMENT";
    throw refuse(`EXPLAIN ANALYZE ${kind} (which runs the ${kind})`, "it");
  }
  const statement = await prepare();
  const type = statement.statementType;
  if (!QUERIES.has(type)) throw refuse(`${statementKind(type)} statement`, statementKind(type));
  if (type !== StatementType.EXPLAIN) return statement;
  if (text === undefined) {
    // Without the statement's own text, what it analyzes cannot be told: refused.
    throw refuse("EXPLAIN (among statements cco could not tell apart)", "it");
  }
  const analyzed = explainAnalyzeTarget(text);
  if (analyzed === undefined) return statement;
  const innerWord = leadingWord(analyzed);
  let innerKind = innerWord.toUpperCase();
  if (QUERY_WORDS.has(innerWord)) {
    const inner = await connection.extractStatements(analyzed);
    const innerType = inner.count === 1 ? (await inner.prepare(0)).statementType : StatementType.INVALID;
    if (QUERIES.has(innerType)) return statement;
    innerKind = statementKind(innerType);
  }
  throw refuse(`EXPLAIN ANALYZE ${innerKind} (which runs the ${innerKind})`, "it");
}

/**
 * The statement an EXPLAIN ANALYZE runs (`EXPLAIN ANALYZE x`, `EXPLAIN (ANALYZE, …) x`),
 * or undefined for a plain EXPLAIN, which only plans.
 */
export function explainAnalyzeTarget(text: string): string | undefined {
  let rest = stripComments(text).trim();
  const explain = /^explain\b/i.exec(rest);
  if (!explain) return undefined;
  rest = rest.slice(explain[0].length).trimStart();
  if (rest.startsWith("(")) {
    const close = rest.indexOf(")");
    const options = close < 0 ? rest : rest.slice(0, close);
    // Any mention of analyze counts, even `analyze false`: the analyzed statement is then
    // checked, and a query passes anyway.
    return /\banaly[sz]e\b/i.test(options) ? rest.slice(close + 1) : undefined;
  }
  const analyze = /^analy[sz]e\b/i.exec(rest);
  return analyze ? rest.slice(analyze[0].length) : undefined;
}

function stripComments(text: string): string {
  return splitStatements(text, { keepComments: false }).join(";");
}

/**
 * The SQL's statements as text, split at semicolons outside strings ('…', E'…', $tag$…$tag$),
 * quoted identifiers and comments; empty statements are dropped, as DuckDB drops them.
 */
export function splitStatements(sql: string, { keepComments = true } = {}): string[] {
  const statements: string[] = [];
  let current = "";
  let code = ""; // the statement without comments and whitespace: empty means no statement
  let i = 0;
  const flush = () => {
    if (code.trim()) statements.push(current.trim());
    current = "";
    code = "";
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const rest = sql.slice(i);
    let token: string;
    let comment = false;
    if (c === ";") {
      flush();
      i++;
      continue;
    } else if (rest.startsWith("--")) {
      const end = sql.indexOf("\n", i);
      token = end < 0 ? rest : sql.slice(i, end);
      comment = true;
    } else if (rest.startsWith("/*")) {
      let depth = 0;
      let j = i;
      do {
        if (sql.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else if (sql.startsWith("*/", j)) {
          depth--;
          j += 2;
        } else j++;
      } while (depth > 0 && j < sql.length);
      token = sql.slice(i, j);
      comment = true;
    } else if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? "") && !/\w/.test(sql[i - 2] ?? "");
      let j = i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === "\\") j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      token = sql.slice(i, j + 1);
    } else if (c === "$" && /^\$([A-Za-z_]\w*)?\$/.test(rest) && !/\w/.test(sql[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_]\w*)?\$/.exec(rest)![0];
      const end = sql.indexOf(tag, i + tag.length);
      token = end < 0 ? rest : sql.slice(i, end + tag.length);
    } else {
      token = c;
    }
    if (!comment) code += token;
    if (!comment || keepComments) current += token;
    else current += " ";
    i += token.length;
  }
  flush();
  return statements;
}

/**
 * Limit file access to the folders the warehouse's own views read (the lake and the marts, and any
 * other lake root its ledger names), and lock the configuration so no statement can undo it.
 */
export async function confine(
  connection: DuckDBConnection,
  config: Pick<Config, "paths">,
): Promise<string[]> {
  const dirs = new Set([config.paths.lake, config.paths.marts].map((d) => path.resolve(d)));
  try {
    const reader = await connection.runAndReadAll(
      "select distinct lake_file from ops.load_parts where superseded_by is null",
    );
    // <lake>/<format>/billing_period=YYYY-MM/<file>.parquet
    for (const [file] of reader.getRowsJson() as [string][])
      dirs.add(path.dirname(path.dirname(path.dirname(file))));
  } catch {
    // A database without the ledger (in-memory, or not a cco warehouse) reads only the folders above.
  }
  const list = [...dirs].map((d) => `'${`${d}${path.sep}`.replaceAll("'", "''")}'`).join(", ");
  await connection.run(`set allowed_directories = [${list}]`);
  await connection.run("set enable_external_access = false");
  await connection.run("set lock_configuration = true");
  return [...dirs];
}

async function open(
  config: Pick<Config, "warehouse" | "paths">,
  options: { write: boolean; note: (message: string) => void },
): Promise<DuckDBInstance> {
  const file = config.warehouse.path;
  if (!existsSync(file)) {
    if (!options.write) {
      options.note(`no warehouse at ${file} yet: the SQL runs on an empty in-memory database`);
      return create(":memory:", config, {});
    }
    // A new warehouse gets its schemas and ops tables, as every other command gives it.
    const { Warehouse } = await import("../../core/warehouse/warehouse.ts");
    await (await Warehouse.open(config.warehouse)).close();
  }
  return create(file, config, { access_mode: options.write ? "READ_WRITE" : "READ_ONLY" });
}

async function create(
  file: string,
  config: Pick<Config, "warehouse" | "paths">,
  extra: Record<string, string>,
): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(file, {
      memory_limit: config.warehouse.memoryLimit,
      threads: String(config.warehouse.threads),
      // Extensions that download at run time are unavailable offline: fail at once.
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      ...extra,
    });
  } catch (error) {
    const text = message(error);
    if (/lock/i.test(text)) {
      const pid = /\(PID (\d+)\)/.exec(text)?.[1];
      throw new CcoError(
        `${file}: the warehouse is in use by another process${pid ? ` (PID ${pid})` : ""}, and DuckDB lets ` +
          "no other process open it meanwhile, not even to read. Try again when it has finished; until " +
          `then the marts' Parquet snapshots in ${config.paths.marts} can be read.`,
      );
    }
    throw new CcoError(`${file}: cannot open the warehouse: ${text}`);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
