/**
 * A small Kysely dialect over @duckdb/node-api. DuckDB speaks PostgreSQL's SQL
 * closely enough for Kysely's Postgres compiler and adapter; the driver runs the
 * compiled statement on one DuckDB connection. Rows come back through DuckDB's
 * JSON conversion so DECIMAL money arrives as an exact string, never a float.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
} from "kysely";
/** Takes the connection for one query or Kysely transaction; returns its release. */
export type AcquireConnection = () => Promise<() => void>;

export class DuckDbDialect implements Dialect {
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly acquire: AcquireConnection,
  ) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new DuckDbDriver(this.connection, this.acquire);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class DuckDbDriver implements Driver {
  private readonly wrapped: DuckDbKyselyConnection;
  private release: (() => void) | undefined;
  constructor(
    connection: DuckDBConnection,
    private readonly acquire: AcquireConnection,
  ) {
    this.wrapped = new DuckDbKyselyConnection(connection);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    // One DuckDB connection serves many callers; the lock keeps a Kysely
    // transaction from interleaving with other statements.
    this.release = await this.acquire();
    return this.wrapped;
  }
  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: "BEGIN TRANSACTION", parameters: [] } as unknown as CompiledQuery);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: "COMMIT", parameters: [] } as unknown as CompiledQuery);
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery({ sql: "ROLLBACK", parameters: [] } as unknown as CompiledQuery);
  }
  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
  async destroy(): Promise<void> {}
}

class DuckDbKyselyConnection implements DatabaseConnection {
  constructor(private readonly connection: DuckDBConnection) {}
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const params = compiled.parameters.map(toDuckDbValue);
    const reader = await this.connection.runAndReadAll(compiled.sql, params.length ? params : undefined);
    const rows = reader.getRowObjectsJson() as R[];
    const changed = reader.rowsChanged;
    return { rows, numAffectedRows: changed > 0 ? BigInt(changed) : undefined };
  }
  // biome-ignore lint/correctness/useYield: streaming is not used by this project; Kysely requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streamQuery is not supported by the DuckDB dialect");
  }
}

function toDuckDbValue(value: unknown): DuckDBValue {
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return null;
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return value as DuckDBValue;
}
