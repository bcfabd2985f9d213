/**
 * A DuckDB connection that cannot write, for the assistant's SQL. From the CLI it is the warehouse
 * file opened with access_mode READ_ONLY; inside the service, which holds the warehouse open for
 * writing, it is an in-memory database of views over the marts' Parquet snapshots (DuckDB lets no
 * second instance open a file a process writes). Either way file access is then confined to the
 * marts folder and the configuration locked, and every statement passes sql-guard.ts first.
 * Each query has a row limit and a time limit (the connection is interrupted).
 */
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Config } from "../core/config.ts";
import { CcoError, UsageError } from "../core/errors.ts";
import { ident, lit } from "../core/sql.ts";
import { useUtc } from "../core/warehouse/session.ts";
import { FailedQuery, preparedQuery, READABLE_SCHEMAS } from "./sql-guard.ts";

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** More rows than the limit: only the first `limit` are here. */
  truncated: boolean;
}

export interface QueryLimits {
  maxRows: number;
  timeoutMs: number;
}

export class ReadOnlySql {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly database: string,
    /** What the queries read: the warehouse file, or the snapshots folder. */
    readonly source: { kind: "warehouse" | "snapshots"; path: string },
  ) {}

  /**
   * The warehouse file read-only when no writer holds it (`busy` undefined: the CLI), else the
   * snapshots; with `busy` (the service's own open warehouse) always the snapshots.
   */
  static async open(config: Config, { busy = false }: { busy?: boolean } = {}): Promise<ReadOnlySql> {
    if (!busy && existsSync(config.warehouse.path)) {
      try {
        return await ReadOnlySql.overWarehouseFile(config);
      } catch (error) {
        // Another process writes it (cco run, cco serve): the snapshots it exported are readable.
        if (!(error instanceof WarehouseBusy) || !hasSnapshots(config)) throw error;
      }
    }
    if (!hasSnapshots(config)) {
      throw new UsageError(
        `no warehouse at ${config.warehouse.path} and no marts snapshots in ${config.paths.marts}: ` +
          "run the pipeline first (cco run, or cco run --demo)",
      );
    }
    return ReadOnlySql.overSnapshots(config);
  }

  static async overWarehouseFile(config: Config): Promise<ReadOnlySql> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(config.warehouse.path, {
        ...baseOptions(config),
        access_mode: "READ_ONLY",
      });
    } catch (error) {
      if (/lock/i.test(message(error))) throw new WarehouseBusy(config.warehouse.path);
      throw new CcoError(`${config.warehouse.path}: cannot open the warehouse read-only: ${message(error)}`);
    }
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll("select current_database() as name");
    const name = String(reader.getRowObjectsJson()[0]?.name);
    await lockDown(connection, config);
    return new ReadOnlySql(instance, connection, name, { kind: "warehouse", path: config.warehouse.path });
  }

  /** Views over marts/*.parquet, marts/<model>/ folders (external models) and marts/ml/*.parquet. */
  static async overSnapshots(config: Config): Promise<ReadOnlySql> {
    const instance = await DuckDBInstance.create(":memory:", {
      ...baseOptions(config),
      temp_directory:
        config.warehouse.tempDirectory ?? path.join(os.tmpdir(), `cco-assistant-${process.pid}`),
    });
    const connection = await instance.connect();
    const dir = config.paths.marts;
    for (const schema of READABLE_SCHEMAS) await connection.run(`create schema ${ident(schema)}`);
    for (const view of snapshotViews(dir)) {
      await connection.run(
        `create view ${ident(view.schema)}.${ident(view.name)} as select * from read_parquet(${lit(view.glob)}, union_by_name = true)`,
      );
    }
    await lockDown(connection, config);
    return new ReadOnlySql(instance, connection, "memory", { kind: "snapshots", path: dir });
  }

  /** One guarded query (sql-guard.ts), at most `maxRows` rows, stopped after `timeoutMs`. */
  async query(sql: string, limits: QueryLimits): Promise<QueryResult> {
    const prepared = await preparedQuery(this.connection, sql, this.database);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.connection.interrupt();
    }, limits.timeoutMs);
    try {
      const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
      const rows = reader.getRowsJson() as unknown[][];
      return {
        columns: reader.columnNames(),
        rows: rows.slice(0, limits.maxRows),
        truncated: rows.length > limits.maxRows,
      };
    } catch (error) {
      if (timedOut) {
        throw new FailedQuery(`stopped after ${limits.timeoutMs} ms (assistant.statement_timeout_ms)`);
      }
      throw new FailedQuery(message(error));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Rows as objects, for the tools' own queries (guarded like any other). */
  async objects<T = Record<string, unknown>>(sql: string, limits: QueryLimits): Promise<T[]> {
    const { columns, rows } = await this.query(sql, limits);
    return rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))) as T[];
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

class WarehouseBusy extends CcoError {
  constructor(file: string) {
    super(`${file}: the warehouse is in use by another process and no marts snapshots exist to read instead`);
  }
}

function baseOptions(config: Config): Record<string, string> {
  return {
    memory_limit: config.warehouse.memoryLimit,
    threads: String(config.warehouse.threads),
    // Extensions that download at run time are unavailable offline, and none may load later.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  };
}

/**
 * Unqualified names resolve in the readable schemas; files can be read only under the marts
 * folder (the external models and snapshots live there); nothing can change that afterwards.
 */
async function lockDown(connection: DuckDBConnection, config: Config): Promise<void> {
  await useUtc(connection);
  await connection.run(`set search_path = ${lit(READABLE_SCHEMAS.join(","))}`);
  await connection.run(`set allowed_directories = [${lit(`${path.resolve(config.paths.marts)}/`)}]`);
  await connection.run("set enable_external_access = false");
  await connection.run("set lock_configuration = true");
}

export function hasSnapshots(config: Config): boolean {
  return snapshotViews(config.paths.marts).length > 0;
}

interface SnapshotView {
  schema: string;
  name: string;
  glob: string;
}

/** The views a snapshots folder gives: marts/<t>.parquet, marts/<model>/**.parquet, marts/ml/<t>.parquet. */
function snapshotViews(dir: string): SnapshotView[] {
  if (!existsSync(dir)) return [];
  const views: SnapshotView[] = [];
  const tableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith(".parquet")) {
      const name = entry.name.slice(0, -".parquet".length);
      if (tableName.test(name)) views.push({ schema: "marts", name, glob: full });
    } else if (entry.isDirectory() && entry.name === "ml") {
      for (const file of readdirSync(full)) {
        const name = file.slice(0, -".parquet".length);
        if (file.endsWith(".parquet") && tableName.test(name))
          views.push({ schema: "ml", name, glob: path.join(full, file) });
      }
    } else if (entry.isDirectory() && entry.name !== "ops" && tableName.test(entry.name)) {
      if (containsParquet(full))
        views.push({ schema: "marts", name: entry.name, glob: `${full}/**/*.parquet` });
    }
  }
  return views;
}

function containsParquet(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).some(
    (e) => e.isFile() && e.name.endsWith(".parquet"),
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
