/**
 * The warehouse: one DuckDB file, one instance per process. Opening it creates
 * the schemas and applies pending ops migrations idempotently.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import { Kysely } from "kysely";
import type { Config } from "../config.ts";
import { CcoError } from "../errors.ts";
import { DuckDbDialect } from "./kysely-duckdb.ts";
import { migrations, type OpsDatabase } from "./migrations.ts";
import { Mutex } from "./mutex.ts";
import { useUtc } from "./session.ts";

export const SCHEMAS = ["raw", "staging", "intermediate", "marts", "ml", "ops"] as const;

export type Row = Record<string, unknown>;

export class Warehouse {
  readonly db: Kysely<OpsDatabase>;
  private readonly lock = new Mutex();

  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** A session shares its parent's instance: closing it closes only its connection. */
    private readonly isSession = false,
  ) {
    this.db = new Kysely<OpsDatabase>({ dialect: new DuckDbDialect(connection, () => this.lock.acquire()) });
  }

  static async open(options: {
    path: string;
    memoryLimit?: string;
    threads?: number;
    /** Where DuckDB spills what does not fit in memory_limit; default: beside the file (<file>.tmp). */
    tempDirectory?: string;
  }): Promise<Warehouse> {
    if (options.path !== ":memory:") mkdirSync(path.dirname(options.path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path, {
        memory_limit: options.memoryLimit ?? "4GB",
        threads: String(options.threads ?? 2),
        ...(options.tempDirectory ? { temp_directory: options.tempDirectory } : {}),
        // Extensions that download at run time are unavailable here: fail at once.
        autoinstall_known_extensions: "false",
        autoload_known_extensions: "false",
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/lock/i.test(message)) {
        // DuckDB names the holder: "Conflicting lock is held in /usr/bin/node (PID 1234)".
        const pid = /\(PID (\d+)\)/.exec(message)?.[1];
        throw new CcoError(
          `${options.path}: the warehouse is in use by another process${pid ? ` (PID ${pid})` : ""} (DuckDB allows one writer). ` +
            "Readers beside a running pipeline should use the Parquet snapshots in data/marts/.",
        );
      }
      throw new CcoError(`${options.path}: cannot open the warehouse: ${message}`);
    }
    const connection = await instance.connect();
    await useUtc(connection);
    const warehouse = new Warehouse(options.path, instance, connection);
    await warehouse.init();
    return warehouse;
  }

  /** Create schemas and apply pending migrations; safe to call any number of times. */
  private async init(): Promise<void> {
    for (const schema of SCHEMAS) await this.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await this.run(
      "CREATE TABLE IF NOT EXISTS ops.schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
    );
    const applied = new Set(
      (await this.all<{ version: number }>("SELECT version FROM ops.schema_migrations")).map((r) =>
        Number(r.version),
      ),
    );
    let migrated = false;
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      migrated = true;
      await this.transaction(async (tx) => {
        await tx.run(migration.sql);
        await tx.run("INSERT INTO ops.schema_migrations VALUES ($1, $2, now())", [
          migration.version,
          migration.name,
        ]);
      });
    }
    // Schema changes go to the database file at once: DuckDB 1.5 cannot replay an ALTER of a
    // table with a sequence default from the WAL after a crash (seen: "GetDefaultDatabase with
    // no default database set"), and a crash before the next checkpoint would lose the file.
    if (migrated && this.file !== ":memory:") await this.run("CHECKPOINT");
  }

  /** Run statements (no result). Serialized with every other use of the connection. */
  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    const release = await this.lock.acquire();
    try {
      await this.connection.run(sql, params);
    } finally {
      release();
    }
  }

  /** Rows as JSON-safe objects: DECIMAL as exact strings, timestamps as ISO text. */
  async all<T = Row>(sql: string, params?: DuckDBValue[]): Promise<T[]> {
    const release = await this.lock.acquire();
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJson() as T[];
    } finally {
      release();
    }
  }

  /** Column names and rows as JSON-safe values, for printing query results. */
  async query(sql: string): Promise<{ columns: string[]; types: string[]; rows: unknown[][] }> {
    const release = await this.lock.acquire();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        types: reader.columnTypes().map((t) => t.toString()),
        rows: reader.getRowsJson() as unknown[][],
      };
    } finally {
      release();
    }
  }

  /**
   * Run `work` inside one transaction: all of it lands or none of it does. The
   * connection is held for the whole transaction; `tx.db` is a typed Kysely handle bound
   * to it (as kysely's `db.transaction().execute(trx => …)` hands out).
   */
  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const release = await this.lock.acquire();
    const connection = this.connection;
    // The transaction already holds the connection: the bound handle takes no lock.
    const held = async () => () => undefined;
    const committed: ((warehouse: Warehouse) => Promise<void> | void)[] = [];
    const scope: TransactionScope = {
      afterCommit: (fn) => {
        committed.push(fn);
      },
      db: new Kysely<OpsDatabase>({ dialect: new DuckDbDialect(connection, held) }),
      run: async (sql, params) => {
        await connection.run(sql, params);
      },
      all: async <R = Row>(sql: string, params?: DuckDBValue[]) =>
        (await connection.runAndReadAll(sql, params)).getRowObjectsJson() as R[],
    };
    let result: T;
    try {
      await connection.run("BEGIN TRANSACTION");
      result = await work(scope);
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      release();
    }
    // After the commit and outside the lock: the callbacks may use the warehouse themselves.
    for (const fn of committed) await fn(this);
    return result;
  }

  async tableExists(schema: string, table: string): Promise<boolean> {
    // DuckDB's own catalog functions answer in half the time information_schema takes.
    const rows = await this.all(
      `SELECT 1 FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2
       UNION ALL SELECT 1 FROM duckdb_views() WHERE schema_name = $1 AND view_name = $2`,
      [schema, table],
    );
    return rows.length > 0;
  }

  async columns(schema: string, table: string): Promise<{ name: string; type: string }[]> {
    return this.all<{ name: string; type: string }>(
      "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      [schema, table],
    );
  }

  /**
   * A second connection to the same database, for work that runs beside this connection's
   * (DuckDB runs queries from several connections at once). Close it when done.
   */
  async session(): Promise<Warehouse> {
    return new Warehouse(this.file, this.instance, await this.instance.connect(), true);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    this.connection.closeSync();
    if (!this.isSession) this.instance.closeSync();
  }
}

export interface TransactionScope {
  /** Run `fn` once the transaction has committed (never after a rollback). */
  afterCommit(fn: (warehouse: Warehouse) => Promise<void> | void): void;
  /** Typed queries on the ops tables, inside this transaction. */
  db: Kysely<OpsDatabase>;
  run(sql: string, params?: DuckDBValue[]): Promise<void>;
  all<R = Row>(sql: string, params?: DuckDBValue[]): Promise<R[]>;
}

let shared: Promise<Warehouse> | undefined;
let sharedPath: string | undefined;

/** The process's one warehouse instance (DuckDB allows one writer per file). */
export function openWarehouse(config: Pick<Config, "warehouse">): Promise<Warehouse> {
  if (shared && sharedPath !== config.warehouse.path) {
    throw new CcoError(`warehouse already open at ${sharedPath}; one instance per process`);
  }
  sharedPath = config.warehouse.path;
  shared ??= Warehouse.open(config.warehouse);
  return shared;
}

export async function closeWarehouse(): Promise<void> {
  const current = shared;
  shared = undefined;
  sharedPath = undefined;
  if (current) await (await current).close();
}
