/** What every connection to a warehouse, writer or reader, sets before its first statement. */
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * Billing days are UTC days: a cast between TIMESTAMPTZ and TIMESTAMP or DATE uses the session's
 * zone, which DuckDB takes from the host (TZ=Europe/Berlin put a CUR line of 23:00Z on the next
 * day). Global: every later session of the instance too. Not at create: ICU is not loaded then.
 */
export async function useUtc(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET GLOBAL TimeZone = 'UTC'");
}
